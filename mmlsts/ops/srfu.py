"""``SRFU``: sparsely recursive feature updating of the keyframe memory.

At a keyframe k with high-level feature H_k: M_k = Q_k2k(H_k, LSTS_k2k(M_prev -> H_k)).
Detection at the keyframe runs on M_k, which becomes the memory (official update ratio 1.0).
At a video's first keyframe there is no memory and M_k = H_k (the caller decides).
"""
from __future__ import annotations

from torch import Tensor, nn

from .lsts_aggregate import LSTSAggregate
from .quality import QualityNet

__all__ = ['SRFU']


class SRFU(nn.Module):
    """Key-to-key LSTS + quality fusion.

    Args:
        in_channels: channels C of the high-level feature and the memory.
        lsts: keyword arguments of :class:`LSTSAggregate` (embed_channels, offset_init, ...).
        quality: keyword arguments of :class:`QualityNet`.
    """

    def __init__(self, in_channels: int = 512, lsts: dict | None = None,
                 quality: dict | None = None) -> None:
        super().__init__()
        self.lsts = LSTSAggregate(in_channels, **(lsts or {}))
        self.quality = QualityNet(in_channels, **(quality or {}))

    def forward(self, memory: Tensor, high: Tensor) -> Tensor:
        """Return the updated memory M_k from the previous memory and the keyframe's H_k."""
        return self.quality(high, self.lsts(memory, high))
