"""``DFA``: dense feature aggregation of the keyframe memory into a non-keyframe.

At a non-keyframe t with low-level feature Low(I_t): L_t = low2high(Low(I_t));
F_t = Q_k2c(L_t, LSTS_k2c(M_k -> L_t)). Only keyframes pay for the high half of the backbone.
f(M_k) does not change between keyframes: :meth:`DFA.embed_memory` computes it once.
"""
from __future__ import annotations

from torch import Tensor, nn

from .low2high import Low2High
from .lsts import LSTS
from .quality import QualityNet

__all__ = ['DFA']


class DFA(nn.Module):
    """Low-to-high transform + key-to-current LSTS + quality fusion.

    Args:
        in_channels: channels C of the high-level feature and the memory.
        low_channels: channels of the low-level feature (1024 for ResNet-50/101 layer3).
        lsts: keyword arguments of :class:`LSTS`.
        quality: keyword arguments of :class:`QualityNet`.
        low2high: keyword arguments of :class:`Low2High` besides the channel counts.
    """

    def __init__(self, in_channels: int = 512, low_channels: int = 1024,
                 lsts: dict | None = None, quality: dict | None = None,
                 low2high: dict | None = None) -> None:
        super().__init__()
        self.low2high = Low2High(low_channels, in_channels, **(low2high or {}))
        self.lsts = LSTS(in_channels, **(lsts or {}))
        self.quality = QualityNet(in_channels, **(quality or {}))

    def embed_memory(self, memory: Tensor) -> Tensor:
        """f(M_k), to pass as ``memory_embed`` for every frame until the next keyframe."""
        return self.lsts.embed_reference(memory)

    def forward(self, memory: Tensor, low: Tensor, memory_embed: Tensor | None = None,
                return_current: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """Return F_t from the keyframe memory M_k and the frame's low-level feature; with
        ``return_current``, (F_t, L_t): also low2high's output, for a loss on it."""
        current = self.low2high(low)
        fused = self.quality(current, self.lsts(memory, current, ref_embed=memory_embed))
        return (fused, current) if return_current else fused
