"""``QualityNet``: per-pixel fusion of two candidate features (used by SRFU and DFA).

Official layout (the code, not the paper text): conv1x1 C->256, conv3x3 256->16, conv3x3 16->1,
no nonlinearities, one network scoring both candidates; a softmax over the two score maps at
every pixel gives the weights of the weighted sum. Every conv starts N(0, 0.01) with zero bias, as
the official ``init_weight``: both scores then start near 0 and the fusion near 0.5 / 0.5.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ['QualityNet', 'init_normal_']


def init_normal_(module: nn.Module, std: float | Sequence[float]) -> None:
    """The official init of the new layers: every conv N(0, ``std``), zero bias.

    ``std`` may also be one value per conv, in order: how a narrower model starts its layers at
    the official model's initial scale (docs/method.md, "the new layers' initial scale").
    """
    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    stds = list(std) if isinstance(std, Sequence) and not isinstance(std, str) else \
        [std] * len(convs)
    if len(stds) != len(convs):
        raise ValueError(f'init_std must be one number or one per conv ({len(convs)}), '
                         f'got {len(stds)}: {std}')
    for conv, conv_std in zip(convs, stds):
        if not conv_std > 0:
            raise ValueError(f'init_std must be > 0, got {std}')
        nn.init.normal_(conv.weight, 0.0, conv_std)
        if conv.bias is not None:
            nn.init.zeros_(conv.bias)


class QualityNet(nn.Module):
    """Fuse candidates A and B as wA * A + wB * B with per-pixel softmax weights.

    Args:
        in_channels: channels C of both candidates.
        mid_channels: channels of the first two convs (official: 256, 16).
        init_std: std of the convs' normal init (official: 0.01), or one per conv.
    """

    def __init__(self, in_channels: int, mid_channels: tuple[int, int] = (256, 16),
                 init_std: float | Sequence[float] = 0.01) -> None:
        super().__init__()
        c1, c2 = mid_channels
        self.score = nn.Sequential(
            nn.Conv2d(in_channels, c1, 1),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.Conv2d(c2, 1, 3, padding=1),
        )
        init_normal_(self.score, init_std)

    def forward(self, a: Tensor, b: Tensor, return_weights: bool = False
                ) -> Tensor | tuple[Tensor, Tensor]:
        if a.shape != b.shape:
            raise ValueError(f'QualityNet: candidates must have one shape, got {tuple(a.shape)} '
                             f'and {tuple(b.shape)}')
        score_a, score_b = self.score(torch.cat([a, b], dim=0)).chunk(2, dim=0)
        weights = torch.cat([score_a, score_b], dim=1).float().softmax(dim=1).to(a.dtype)
        fused = weights[:, 0:1] * a + weights[:, 1:2] * b
        return (fused, weights) if return_weights else fused
