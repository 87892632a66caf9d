"""``QualityNet``: per-pixel fusion of two candidate features (used by SRFU and DFA).

Official layout (the code, not the paper text): conv1x1 C->256, conv3x3 256->16, conv3x3 16->1,
no nonlinearities, one network scoring both candidates; a softmax over the two score maps at
every pixel gives the weights of the weighted sum.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ['QualityNet']


class QualityNet(nn.Module):
    """Fuse candidates A and B as wA * A + wB * B with per-pixel softmax weights."""

    def __init__(self, in_channels: int, mid_channels: tuple[int, int] = (256, 16)) -> None:
        super().__init__()
        c1, c2 = mid_channels
        self.score = nn.Sequential(
            nn.Conv2d(in_channels, c1, 1),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.Conv2d(c2, 1, 3, padding=1),
        )

    def forward(self, a: Tensor, b: Tensor, return_weights: bool = False
                ) -> Tensor | tuple[Tensor, Tensor]:
        if a.shape != b.shape:
            raise ValueError(f'QualityNet: candidates must have one shape, got {tuple(a.shape)} '
                             f'and {tuple(b.shape)}')
        score_a, score_b = self.score(torch.cat([a, b], dim=0)).chunk(2, dim=0)
        weights = torch.cat([score_a, score_b], dim=1).float().softmax(dim=1).to(a.dtype)
        fused = weights[:, 0:1] * a + weights[:, 1:2] * b
        return (fused, weights) if return_weights else fused
