"""``Low2High``: maps a non-keyframe's cheap low-level feature into the high-level space.

Official layout (the code): conv1x1 -> 256, ReLU, conv3x3 -> 256, ReLU, conv3x3 -> C, no final
ReLU. In: ``layer3[0..3]`` output (1024 channels for ResNet-50/101), before that block's final
ReLU as the official code takes it (see the detector's ``extract_low``); out: C channels.
Every conv starts N(0, 0.01) with zero bias as the official ``init_weight``.
"""
from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from .quality import init_normal_

__all__ = ['Low2High']


class Low2High(nn.Module):
    """conv1x1 -> ReLU -> conv3x3 -> ReLU -> conv3x3, from the low-level to the high-level space.

    Args:
        in_channels: channels of the low-level feature.
        out_channels: channels C of the high-level feature.
        mid_channels: channels of the two hidden layers (official: 256).
        init_std: std of the convs' normal init (official: 0.01), or one per conv.
    """

    def __init__(self, in_channels: int = 1024, out_channels: int = 512,
                 mid_channels: int = 256, init_std: float | Sequence[float] = 0.01) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, mid_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, 3, padding=1),
        )
        init_normal_(self.layers, init_std)

    def forward(self, low: Tensor) -> Tensor:
        return self.layers(low)
