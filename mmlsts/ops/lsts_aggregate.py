"""``lsts_aggregate``: the LSTS op (learnable spatio-temporal sampling), exact and memory-light,
and :class:`LSTSAggregate`, the thin module that owns its embeddings and offsets (as
``torchvision.ops.DeformConv2d`` is over ``deform_conv2d``).

For every target pixel p0 and every global offset P[n] the op bilinearly samples the reference
embedding at p0 + P[n] (zero padding), dots it with the target embedding at p0, takes a softmax
over n and returns the same weighted bilinear samples of the raw reference feature:

    s[n, p0]  = <tgt_embed[:, p0], bilinear(ref_embed, p0 + P[n])>
    w[:, p0]  = softmax_n(s[:, p0])
    out[:, p0] = sum_n w[n, p0] * bilinear(ref, p0 + P[n])

Why it is cheap: the offsets are global, so a bilinear sample at p0 + P[n] is a fixed mix of the
map shifted by four integer displacements. Let S be the distinct integer displacements that the
N offsets touch (at most 4N, about (range + 1)^2 in practice) and G the (N, S) matrix of
bilinear weights (differentiable in the offsets). Then

    s   = G @ corr,   corr[s, p0] = <tgt_embed[:, p0], ref_embed[:, p0 + d_s]>
    out = sum_s A[s] * shift(ref, d_s),   A = G^T @ w

Only (S, H, W) and (N, H, W) maps are ever stored: never the (N, C, H, W) stack of a naive
implementation. ``_shift_correlate`` and ``_shift_aggregate`` are each other's backward.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['LSTSAggregate', 'init_offsets', 'lsts_aggregate']

# The four bilinear corners of a sample, as (dy, dx) added to floor(offset).
_CORNERS = ((0, 0), (0, 1), (1, 0), (1, 1))


def lsts_aggregate(ref: Tensor, ref_embed: Tensor, tgt_embed: Tensor, offsets: Tensor,
                   return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Propagate ``ref`` onto the target positions with learned global sampling offsets.

    Args:
        ref: (B, C, H, W) feature to propagate (e.g. the keyframe memory).
        ref_embed: (B, E, H, W) embedding of the reference, f(ref).
        tgt_embed: (B, E, H, W) embedding of the target, g(tgt).
        offsets: (N, 2) global sampling offsets as (dx, dy) in feature-map pixels.
        return_weights: also return the softmax weights (B, N, H, W).

    Returns:
        ``out`` (B, C, H, W) in the dtype of ``ref``, or ``(out, weights)``.
        Differentiable with respect to all four tensors, the offsets included.
    """
    _check_inputs(ref, ref_embed, tgt_embed, offsets)
    _, _, height, width = ref.shape
    shifts, corner_col = _shift_plan(offsets, height, width)
    work_dtype = torch.promote_types(torch.promote_types(ref.dtype, ref_embed.dtype),
                                     tgt_embed.dtype)
    # Scores, softmax and the bilinear weights stay in float32 even when features are half.
    acc_dtype = torch.float64 if work_dtype == torch.float64 else torch.float32

    # Bilinear weight of every (offset, integer shift) pair: the only place the offsets enter.
    frac = offsets.to(acc_dtype) - offsets.detach().to(acc_dtype).floor()
    fx, fy = frac[:, 0], frac[:, 1]
    corner_w = torch.stack([(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx], dim=1)
    num_offsets, num_shifts = offsets.shape[0], len(shifts)
    rows = torch.arange(num_offsets, device=offsets.device).repeat_interleave(4)
    gmat = corner_w.new_zeros((num_offsets, num_shifts + 1)).index_put(
        (rows, corner_col), corner_w.reshape(-1), accumulate=True)
    gmat = gmat[:, :num_shifts]  # the last column collected the corners that lie off the map

    corr = _Shifted.apply(tgt_embed.to(work_dtype), ref_embed.to(work_dtype), shifts, True)
    with torch.autocast(ref.device.type, enabled=False):  # autocast would halve the scores
        weights = torch.einsum('ns,bshw->bnhw', gmat, corr.to(acc_dtype)).softmax(dim=1)
        mix = torch.einsum('ns,bnhw->bshw', gmat, weights).to(work_dtype)
    out = _Shifted.apply(mix, ref.to(work_dtype), shifts, False).to(ref.dtype)
    if return_weights:
        return out, weights.to(ref.dtype)
    return out


def _check_inputs(ref: Tensor, ref_embed: Tensor, tgt_embed: Tensor, offsets: Tensor) -> None:
    for name, t in (('ref', ref), ('ref_embed', ref_embed), ('tgt_embed', tgt_embed)):
        if not isinstance(t, Tensor) or t.dim() != 4:
            raise ValueError(f'lsts_aggregate: {name} must be a 4-d tensor (B, C, H, W), '
                             f'got {_describe(t)}')
    if not isinstance(offsets, Tensor) or offsets.dim() != 2 or offsets.shape[1] != 2 \
            or offsets.shape[0] < 1:
        raise ValueError('lsts_aggregate: offsets must have shape (N, 2) with N >= 1 '
                         f'(dx, dy per row), got {_describe(offsets)}')
    if ref_embed.shape != tgt_embed.shape:
        raise ValueError('lsts_aggregate: ref_embed and tgt_embed must have the same shape, got '
                         f'{tuple(ref_embed.shape)} and {tuple(tgt_embed.shape)}')
    if ref_embed.shape[0] != ref.shape[0] or ref_embed.shape[2:] != ref.shape[2:]:
        raise ValueError('lsts_aggregate: ref_embed must match ref in batch and H, W, got '
                         f'{tuple(ref_embed.shape)} for ref {tuple(ref.shape)}')
    devices = {t.device for t in (ref, ref_embed, tgt_embed, offsets)}
    if len(devices) > 1:
        raise ValueError(f'lsts_aggregate: all inputs must be on one device, got {devices}')
    for name, t in (('ref', ref), ('ref_embed', ref_embed), ('tgt_embed', tgt_embed),
                    ('offsets', offsets)):
        if not t.is_floating_point():
            raise ValueError(f'lsts_aggregate: {name} must be floating point, got {t.dtype}')


def _describe(t: object) -> str:
    return f'shape {tuple(t.shape)}' if isinstance(t, Tensor) else type(t).__name__


def _shift_plan(offsets: Tensor, height: int, width: int
                ) -> tuple[tuple[tuple[int, int], ...], Tensor]:
    """Distinct integer shifts (dy, dx) that the bilinear corners touch, and each corner's column.

    Corners whose shift lies wholly off the map read zeros: they get the extra column S.
    The plan depends only on floor(offsets) and the map size, so it is kept on the offsets
    tensor itself: inference with fixed offsets copies them to the host once, not every call.
    """
    key = (offsets.data_ptr(), offsets._version, height, width)
    cached = getattr(offsets, '_lsts_plan', None)
    if cached is not None and cached[0] == key:
        return cached[1]
    base = offsets.detach().floor().to('cpu', torch.int64).tolist()
    columns: dict[tuple[int, int], int] = {}
    corner_col = []
    for bx, by in base:
        for cy, cx in _CORNERS:
            dy, dx = by + cy, bx + cx
            on_map = abs(dy) < height and abs(dx) < width
            corner_col.append(columns.setdefault((dy, dx), len(columns)) if on_map else -1)
    if not columns:  # every sample lies off the map: one harmless shift keeps shapes valid
        columns[(0, 0)] = 0
    cols = torch.tensor(corner_col, dtype=torch.int64)
    cols[cols < 0] = len(columns)
    plan = (tuple(columns), cols.to(offsets.device))
    try:
        offsets._lsts_plan = (key, plan)
    except (AttributeError, RuntimeError):  # tensors that refuse attributes just recompute
        pass
    return plan


def _margins(shifts: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    return max(abs(dy) for dy, _ in shifts), max(abs(dx) for _, dx in shifts)


def _window(padded: Tensor, dy: int, dx: int, my: int, mx: int, height: int, width: int
            ) -> Tensor:
    """View of the zero-padded map shifted by (dy, dx): window[p] = map[p + d]."""
    return padded[:, :, my + dy:my + dy + height, mx + dx:mx + dx + width]


def _correlate(tgt: Tensor, ref: Tensor, shifts: tuple[tuple[int, int], ...]) -> Tensor:
    """corr[b, s, p] = sum_c tgt[b, c, p] * ref[b, c, p + d_s] (zero outside the map).

    One batched matrix product per row shift dy gives every row pair's full (W, W + 2 mx)
    product; the column shifts dx are its diagonals. BLAS makes this several times faster
    than a reduction per shift, although it computes products that are not needed.
    """
    bsz, chans, height, width = tgt.shape
    my, mx = _margins(shifts)
    ref_pad = F.pad(ref, (mx, mx, my, my))
    rows = tgt.permute(0, 2, 3, 1).reshape(bsz * height, width, chans)
    corr = tgt.new_empty((len(shifts), bsz, height, width))
    by_row: dict[int, list[tuple[int, int]]] = {}
    for i, (dy, dx) in enumerate(shifts):
        by_row.setdefault(dy, []).append((i, dx))
    for dy, columns in by_row.items():
        band = ref_pad[:, :, my + dy:my + dy + height].permute(0, 2, 1, 3)
        prod = torch.bmm(rows, band.reshape(bsz * height, chans, width + 2 * mx))
        for i, dx in columns:
            corr[i] = prod.diagonal(offset=mx + dx, dim1=1, dim2=2).reshape(bsz, height, width)
    return corr.transpose(0, 1)


def _aggregate(mix: Tensor, ref: Tensor, shifts: tuple[tuple[int, int], ...]) -> Tensor:
    """out[b, c, p] = sum_s mix[b, s, p] * ref[b, c, p + d_s] (zero outside the map)."""
    _, _, height, width = ref.shape
    my, mx = _margins(shifts)
    ref_pad = F.pad(ref, (mx, mx, my, my))
    out = torch.zeros_like(ref)
    for i, (dy, dx) in enumerate(shifts):
        out.addcmul_(mix[:, i:i + 1], _window(ref_pad, dy, dx, my, mx, height, width))
    return out


def _scatter(mix: Tensor, src: Tensor, shifts: tuple[tuple[int, int], ...]) -> Tensor:
    """Adjoint of a shifted read: grad[b, c, q] = sum_s mix[b, s, q - d_s] * src[b, c, q - d_s]."""
    _, _, height, width = src.shape
    my, mx = _margins(shifts)
    acc = src.new_zeros(src.shape[:2] + (height + 2 * my, width + 2 * mx))
    for i, (dy, dx) in enumerate(shifts):
        _window(acc, dy, dx, my, mx, height, width).addcmul_(mix[:, i:i + 1], src)
    return acc[:, :, my:my + height, mx:mx + width]


class _Shifted(torch.autograd.Function):
    """One of the two shift products on (x, ref), each the other's adjoint in x:
    ``correlate`` (x = tgt: corr[s] = <x, shift(ref, d_s)>) and ``aggregate``
    (x = mix: out = sum_s x[s] * shift(ref, d_s)). Backward runs the other one for x and a
    scatter for ref, in full precision like forward."""

    @staticmethod
    def forward(ctx, x: Tensor, ref: Tensor, shifts, correlate: bool) -> Tensor:
        ctx.shifts, ctx.correlate = shifts, correlate
        ctx.save_for_backward(x, ref)
        with torch.autocast(ref.device.type, enabled=False):
            return (_correlate if correlate else _aggregate)(x, ref, shifts)

    @staticmethod
    def backward(ctx, grad: Tensor):
        x, ref = ctx.saved_tensors
        grad = grad.to(ref.dtype).contiguous()
        grad_x = grad_ref = None
        with torch.autocast(ref.device.type, enabled=False):
            if ctx.needs_input_grad[0]:
                grad_x = (_aggregate if ctx.correlate else _correlate)(grad, ref, ctx.shifts)
            if ctx.needs_input_grad[1]:  # scatter(weights per shift, feature map)
                grad_ref = _scatter(*((grad, x) if ctx.correlate else (x, grad)), ctx.shifts)
        return grad_x, grad_ref, None, None


# The module ------------------------------------------------------------------------------------
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


class LSTSAggregate(nn.Module):
    """Propagate a reference feature onto a target with learned sampling locations.

    Owns the two 1x1 embeddings f (reference) and g (target) and the (N, 2) offsets, one global
    set shared by every pixel. SRFU and DFA may share one offsets parameter, as the official code
    does (:meth:`share_offsets_from`). Give the offsets their own learning rate in an MMTracking
    config with ``paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5,
    decay_mult=0.0)})``.

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
            raise ValueError(f'LSTSAggregate: embed_std must be > 0, got {embed_std}')
        self.ref_embed = nn.Conv2d(in_channels, embed_channels, 1)
        self.tgt_embed = nn.Conv2d(in_channels, embed_channels, 1)
        for conv in (self.ref_embed, self.tgt_embed):
            nn.init.normal_(conv.weight, 0.0, embed_std)
            nn.init.zeros_(conv.bias)
        self.offsets = nn.Parameter(init_offsets(offset_init, num_offsets, offset_range, seed))
        self._offset_source: tuple[LSTSAggregate, ...] = ()

    def share_offsets_from(self, other: LSTSAggregate) -> None:
        """Use ``other``'s offsets parameter instead of an own one (registered once, in other)."""
        if other is self:
            raise ValueError('LSTSAggregate.share_offsets_from: cannot share offsets with itself')
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
