"""``LSTS``: the learnable spatio-temporal sampling module (embeddings + global offsets).

A thin ``nn.Module`` over :func:`lsts_aggregate`, as ``torchvision.ops.DeformConv2d`` is over
``deform_conv2d``. It owns the two 1x1 embeddings f (reference) and g (target) and the (N, 2)
offsets, one global set shared by every pixel. SRFU and DFA may share one offsets parameter, as
the official code does: see :meth:`LSTS.share_offsets_from`.

Give the offsets their own learning rate in an MMTracking config with
``paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)})``.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .lsts_aggregate import lsts_aggregate

__all__ = ['LSTS', 'init_offsets']

OFFSET_INITS = ('uniform', 'gaussian')


def init_offsets(init: str = 'uniform', num_offsets: int | None = None, offset_range: int = 4,
                 seed: int = 0) -> Tensor:
    """The official initialisations of the (N, 2) offsets, as (dx, dy) in feature pixels.

    ``'uniform'``: the integer grid [-r, r]^2 (r = ``offset_range``; 81 points for r = 4).
    ``'gaussian'``: ``num_offsets`` points (default 40) from N(0, I), seeded.
    """
    if init == 'uniform':
        if num_offsets is not None and num_offsets != (2 * offset_range + 1) ** 2:
            raise ValueError(f'init_offsets: uniform init with offset_range={offset_range} gives '
                             f'{(2 * offset_range + 1) ** 2} offsets, num_offsets={num_offsets}')
        axis = torch.arange(-offset_range, offset_range + 1, dtype=torch.float32)
        dy, dx = torch.meshgrid(axis, axis, indexing='ij')
        return torch.stack([dx.reshape(-1), dy.reshape(-1)], dim=1)
    if init == 'gaussian':
        num = 40 if num_offsets is None else num_offsets
        if num < 1:
            raise ValueError(f'init_offsets: num_offsets must be >= 1, got {num}')
        generator = torch.Generator().manual_seed(seed)
        return torch.randn((num, 2), generator=generator)
    raise ValueError(f"init_offsets: init must be one of {OFFSET_INITS}, got '{init}'")


class LSTS(nn.Module):
    """Propagate a reference feature onto a target with learned sampling locations.

    Args:
        in_channels: channels C of the reference and target features.
        embed_channels: channels of the f and g embeddings (official: 256).
        offset_init, num_offsets, offset_range, seed: see :func:`init_offsets`.
        embed_std: std of the embeddings' normal init (official: 0.01). The similarity is a
            bilinear form, so its initial scale grows with ``embed_std**2 * in_channels *
            embed_channels``; small models need a larger std to start from the same scale,
            else the softmax stays near uniform and LSTS stays a box filter (docs/method.md).
    """

    def __init__(self, in_channels: int, embed_channels: int = 256, offset_init: str = 'uniform',
                 num_offsets: int | None = None, offset_range: int = 4, seed: int = 0,
                 embed_std: float = 0.01) -> None:
        super().__init__()
        if not embed_std > 0:
            raise ValueError(f'LSTS: embed_std must be > 0, got {embed_std}')
        self.ref_embed = nn.Conv2d(in_channels, embed_channels, 1)
        self.tgt_embed = nn.Conv2d(in_channels, embed_channels, 1)
        for conv in (self.ref_embed, self.tgt_embed):
            nn.init.normal_(conv.weight, 0.0, embed_std)
            nn.init.zeros_(conv.bias)
        self.offsets = nn.Parameter(init_offsets(offset_init, num_offsets, offset_range, seed))
        self._offset_source: tuple[LSTS, ...] = ()

    def share_offsets_from(self, other: LSTS) -> None:
        """Use ``other``'s offsets parameter instead of an own one (registered once, in other)."""
        if other is self:
            raise ValueError('LSTS.share_offsets_from: cannot share offsets with itself')
        self._parameters.pop('offsets', None)
        self._offset_source = (other,)  # a tuple, so nn.Module does not register it as a child

    def sampling_offsets(self) -> Tensor:
        """The (N, 2) offsets in use: own or shared."""
        if self._offset_source:
            return self._offset_source[0].sampling_offsets()
        return self.offsets

    def embed_reference(self, ref: Tensor) -> Tensor:
        """f(ref): computed once per keyframe memory and reusable for every target frame."""
        return self.ref_embed(ref)

    def forward(self, ref: Tensor, tgt: Tensor, ref_embed: Tensor | None = None,
                return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """Return ``ref`` resampled onto ``tgt``'s positions (and the weights if asked)."""
        if ref_embed is None:
            ref_embed = self.embed_reference(ref)
        return lsts_aggregate(ref, ref_embed, self.tgt_embed(tgt), self.sampling_offsets(),
                              return_weights=return_weights)

    def extra_repr(self) -> str:
        shared = ', offsets shared' if self._offset_source else ''
        return f'num_offsets={self.sampling_offsets().shape[0]}{shared}'
