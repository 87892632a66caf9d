"""``Low2High``: maps a non-keyframe's cheap low-level feature into the high-level space.

Official layout (the code): conv1x1 -> 256, ReLU, conv3x3 -> 256, ReLU, conv3x3 -> C, no final
ReLU. In: ``layer3[0..3]`` output (1024 channels for ResNet-50/101); out: C channels.
"""
from __future__ import annotations

from torch import Tensor, nn

__all__ = ['Low2High']


class Low2High(nn.Module):
    def __init__(self, in_channels: int = 1024, out_channels: int = 512,
                 mid_channels: int = 256) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, mid_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, 3, padding=1),
        )

    def forward(self, low: Tensor) -> Tensor:
        return self.layers(low)
