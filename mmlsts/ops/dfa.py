"""``DFA``: dense feature aggregation of the keyframe memory into a non-keyframe.

At a non-keyframe t with low-level feature Low(I_t): L_t = low2high(Low(I_t));
F_t = Q_k2c(L_t, LSTS_k2c(M_k -> L_t)). Only keyframes pay for the high half of the backbone.
f(M_k) does not change between keyframes: :meth:`DFA.embed_memory` computes it once.
:meth:`DFA.parts` returns every intermediate (the two candidates and both sets of weights), for
analysis tools that look inside the fusion without changing it.
"""
from __future__ import annotations

from typing import NamedTuple

from torch import Tensor, nn

from .low2high import Low2High
from .lsts_aggregate import LSTSAggregate
from .quality import QualityNet

__all__ = ['DFA', 'DFAParts']


class DFAParts(NamedTuple):
    """What :meth:`DFA.parts` computes for one frame."""

    fused: Tensor          # F_t, (B, C, H, W): what detection runs on
    current: Tensor        # L_t = low2high(Low(I_t)), the frame's own candidate
    propagated: Tensor     # LSTS_k2c(M_k -> L_t), the memory's candidate
    fusion_weights: Tensor  # (B, 2, H, W): the quality net's weights of (current, propagated)
    sampling_weights: Tensor  # (B, N, H, W): the key-to-current LSTS softmax over offsets


class DFA(nn.Module):
    """Low-to-high transform + key-to-current LSTS + quality fusion.

    Args:
        in_channels: channels C of the high-level feature and the memory.
        low_channels: channels of the low-level feature (1024 for ResNet-50/101 layer3).
        lsts: keyword arguments of :class:`LSTSAggregate`.
        quality: keyword arguments of :class:`QualityNet`.
        low2high: keyword arguments of :class:`Low2High` besides the channel counts.
    """

    def __init__(self, in_channels: int = 512, low_channels: int = 1024,
                 lsts: dict | None = None, quality: dict | None = None,
                 low2high: dict | None = None) -> None:
        super().__init__()
        self.low2high = Low2High(low_channels, in_channels, **(low2high or {}))
        self.lsts = LSTSAggregate(in_channels, **(lsts or {}))
        self.quality = QualityNet(in_channels, **(quality or {}))

    def embed_memory(self, memory: Tensor) -> Tensor:
        """f(M_k), to pass as ``memory_embed`` for every frame until the next keyframe."""
        return self.lsts.embed_reference(memory)

    def forward(self, memory: Tensor, low: Tensor, memory_embed: Tensor | None = None) -> Tensor:
        """Return F_t from the keyframe memory M_k and the frame's low-level feature."""
        current = self.low2high(low)
        return self.quality(current, self.lsts(memory, current, ref_embed=memory_embed))

    def parts(self, memory: Tensor, low: Tensor, memory_embed: Tensor | None = None
              ) -> DFAParts:
        """:meth:`forward` with every intermediate kept (same computation, same F_t)."""
        current = self.low2high(low)
        propagated, sampling_weights = self.lsts(memory, current, ref_embed=memory_embed,
                                                 return_weights=True)
        fused, fusion_weights = self.quality(current, propagated, return_weights=True)
        return DFAParts(fused, current, propagated, fusion_weights, sampling_weights)
