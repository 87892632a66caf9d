"""The slow reference LSTS, written straight from the formula (plain torch, no mm imports).

Not for models: :func:`mmlsts.ops.lsts_aggregate` is the op. These two are what it is checked
and measured against:

- :func:`lsts_reference_loops` follows G(p, q) = max(0, 1-|qx-px|) * max(0, 1-|qy-py|)
  literally, one output position and one offset at a time (tiny sizes only): the ground truth of
  ``tests/test_ops_lsts.py``.
- :func:`lsts_reference_naive` is the usual materialising version (``grid_sample`` per offset,
  an (N, C, H, W) stack): the "naive" column of ``tools/analysis/benchmark_lsts.py``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['bilinear_at', 'lsts_reference_loops', 'lsts_reference_naive']


def bilinear_at(feat: Tensor, x: float | Tensor, y: float | Tensor) -> Tensor:
    """sum_q G(p, q) feat[:, q] for one point p = (x, y); corners off the map read 0."""
    _, height, width = feat.shape
    out = feat.new_zeros(feat.shape[0])
    x0, y0 = int(torch.floor(torch.as_tensor(x))), int(torch.floor(torch.as_tensor(y)))
    for qy in (y0, y0 + 1):
        for qx in (x0, x0 + 1):
            if 0 <= qx < width and 0 <= qy < height:
                g = torch.clamp(1 - (qx - x).abs() if isinstance(x, Tensor) else
                                torch.tensor(1 - abs(qx - x)), min=0) * \
                    torch.clamp(1 - (qy - y).abs() if isinstance(y, Tensor) else
                                torch.tensor(1 - abs(qy - y)), min=0)
                out = out + g.to(feat.dtype) * feat[:, qy, qx]
    return out


def lsts_reference_loops(ref: Tensor, ref_embed: Tensor, tgt_embed: Tensor, offsets: Tensor
                         ) -> tuple[Tensor, Tensor]:
    """(out, weights) of LSTS by the formula, loop by loop; shapes as ``lsts_aggregate``."""
    bsz, chans, height, width = ref.shape
    num = offsets.shape[0]
    out = ref.new_zeros(ref.shape)
    weights = ref.new_zeros((bsz, num, height, width))
    for b in range(bsz):
        for py in range(height):
            for px in range(width):
                scores, samples = [], []
                for n in range(num):
                    x, y = px + offsets[n, 0], py + offsets[n, 1]
                    scores.append(torch.dot(tgt_embed[b, :, py, px],
                                            bilinear_at(ref_embed[b], x, y)))
                    samples.append(bilinear_at(ref[b], x, y))
                w = torch.stack(scores).softmax(0)
                weights[b, :, py, px] = w
                out[b, :, py, px] = (w[:, None] * torch.stack(samples)).sum(0)
    return out, weights


def _sample_all(feat: Tensor, offsets: Tensor) -> Tensor:
    """(B, N, C, H, W): feat bilinearly sampled at every p0 + offsets[n] (grid_sample, zeros)."""
    bsz, _, height, width = feat.shape
    ys, xs = torch.meshgrid(torch.arange(height, dtype=feat.dtype, device=feat.device),
                            torch.arange(width, dtype=feat.dtype, device=feat.device),
                            indexing='ij')
    x = xs[None] + offsets[:, 0, None, None].to(feat.dtype)
    y = ys[None] + offsets[:, 1, None, None].to(feat.dtype)
    grid = torch.stack([2 * x / (width - 1) - 1 if width > 1 else x * 0 + (x != 0) * 2.0,
                        2 * y / (height - 1) - 1 if height > 1 else y * 0 + (y != 0) * 2.0],
                       dim=-1)
    samples = [F.grid_sample(feat, grid[n:n + 1].expand(bsz, -1, -1, -1), mode='bilinear',
                             padding_mode='zeros', align_corners=True)
               for n in range(offsets.shape[0])]
    return torch.stack(samples, dim=1)


def lsts_reference_naive(ref: Tensor, ref_embed: Tensor, tgt_embed: Tensor, offsets: Tensor
                         ) -> tuple[Tensor, Tensor]:
    """(out, weights) of LSTS with every offset's samples materialised (N times the memory)."""
    emb = _sample_all(ref_embed, offsets)                       # (B, N, E, H, W)
    weights = (emb * tgt_embed[:, None]).sum(2).softmax(1)       # (B, N, H, W)
    out = (_sample_all(ref, offsets) * weights[:, :, None]).sum(1)
    return out, weights
