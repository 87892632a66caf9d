"""What DFA does to a non-keyframe's feature, measured frame by frame on a test set.

LSTS detects a non-keyframe t on F_t = Q(L_t, M'_t), with L_t = low2high(Low(I_t)) and
M'_t = LSTS(M_k -> L_t) the keyframe memory propagated onto t. The feature F_t stands in for the
frame's own high-level feature H_t = High(Low(I_t)), which a non-keyframe never computes: the
closer F_t is to H_t where the objects are, the less the frame loses by skipping the high part.
:func:`probe_dfa` runs a trained model through its real test procedure (the config's test set,
frames in order, the model's own keyframes and memory) and, after every DFA call (a forward hook
on ``model.dfa``: DFA itself is not changed), recomputes that call with :meth:`DFA.parts
<mmlsts.ops.DFA.parts>`, computes H_t and compares:

- ``cos_memory``, ``cos_low2high``, ``cos_fused``: mean per-pixel cosine of M'_t, L_t and F_t
  with H_t, over the whole map and (``_obj``) over the ground-truth boxes only;
- ``norm_low2high``: ||L_t|| / ||H_t|| (mean over pixels);
- ``w_low2high``: the quality net's weight of L_t (mean, and its std over pixels: a fusion that
  chooses per pixel has a large std);
- ``lsts_max_w``: the mean largest softmax weight of the key-to-current LSTS (1/N = uniform);

grouped by the distance |t - k| to the keyframe (:func:`probe_table`), and the fusion's weight
on low2high on the clean and on the hard non-keyframes (:func:`fusion_table`). Then
:func:`variant_rows` tests the same checkpoint with each test-time variant of
:mod:`.dfa_variants` (memory alone, low2high alone, a fixed average, no warping, sharper
attention, no SRFU) and gives AP@0.5 on all, clean and hard frames (:mod:`.hardships`). The CLI
is ``tools/diagnose_dfa.py``.
"""
from __future__ import annotations

import collections
import statistics

import torch
import torch.nn.functional as F
from torch import Tensor

from mmlsts.utils import markdown_table

__all__ = ['probe_dfa', 'probe_table', 'fusion_table', 'variant_rows', 'PROBE_KEYS']

PROBE_KEYS = ('cos_memory', 'cos_low2high', 'cos_fused', 'cos_memory_obj', 'cos_low2high_obj',
              'cos_fused_obj', 'norm_low2high', 'w_low2high', 'w_low2high_std', 'lsts_max_w')


def _cos(a: Tensor, b: Tensor, mask: Tensor | None = None) -> float:
    cos = F.cosine_similarity(a, b, dim=1)[0]
    if mask is not None:
        if not mask.any():
            return float('nan')
        cos = cos[mask]
    return cos.mean().item()


def _object_mask(boxes, scale_factor, shape: tuple[int, int], stride: float) -> Tensor:
    mask = torch.zeros(shape, dtype=torch.bool)
    scale = torch.as_tensor(scale_factor, dtype=torch.float32).reshape(-1)[:4]
    for box in torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4):
        x1, y1, x2, y2 = (box * scale / stride).tolist()
        mask[max(0, int(y1)):max(int(y1) + 1, round(y2)), max(0, int(x1)):max(int(x1) + 1,
                                                                           round(x2))] = True
    return mask


def probe_dfa(model, data_loader, max_frames: int | None = None) -> list[dict]:
    """One record per non-keyframe: ``distance`` and every :data:`PROBE_KEYS` value."""
    lsts = model.module if hasattr(model, 'module') else model
    dataset = data_loader.dataset
    records: list[dict] = []
    state: dict = {}

    def record(dfa, inputs, fused) -> None:
        memory, low, memory_embed = (*inputs, None)[:3]
        parts = dfa.parts(memory, low, memory_embed)
        own = lsts.extract_high(low)
        mask = _object_mask(state['boxes'], state['scale_factor'], own.shape[-2:],
                            state['pad_w'] / own.shape[-1])
        w_low = parts.fusion_weights[0, 0]
        records.append(dict(
            index=state['index'], distance=abs(lsts.memo.frame_id - lsts.memo.key_id),
            cos_memory=_cos(parts.propagated, own), cos_low2high=_cos(parts.current, own),
            cos_fused=_cos(fused, own), cos_memory_obj=_cos(parts.propagated, own, mask),
            cos_low2high_obj=_cos(parts.current, own, mask), cos_fused_obj=_cos(fused, own, mask),
            norm_low2high=(parts.current.norm(dim=1) / own.norm(dim=1).clamp_min(1e-6)
                           ).mean().item(),
            w_low2high=w_low.mean().item(), w_low2high_std=w_low.std().item(),
            lsts_max_w=parts.sampling_weights.max(dim=1).values.mean().item()))

    hook = lsts.dfa.register_forward_hook(record)
    try:
        for i, data in enumerate(data_loader):
            if max_frames is not None and i >= max_frames:
                break
            meta = data['img_metas'][0].data[0][0]
            state.update(index=i, boxes=dataset.get_ann_info(dataset.data_infos[i])['bboxes'],
                         scale_factor=meta['scale_factor'], pad_w=meta['pad_shape'][1])
            with torch.no_grad():
                model(return_loss=False, rescale=True, **data)
    finally:
        hook.remove()
    return records


def probe_table(records: list[dict]) -> str:
    """Markdown: the mean of every measure per distance to the keyframe, and over all."""
    groups: dict = collections.defaultdict(list)
    for r in records:
        groups[r['distance']].append(r)
    rows = []
    for name, rs in [*sorted(groups.items()), ('all', records)]:
        cells = [name, len(rs)]
        for key in PROBE_KEYS:
            values = [r[key] for r in rs if r[key] == r[key]]
            cells.append(f'{statistics.fmean(values):.3f}' if values else '-')
        rows.append(cells)
    return markdown_table(['distance', 'frames', *PROBE_KEYS], rows)


def fusion_table(records: list[dict], subsets: dict[str, list[int]]) -> str:
    """Markdown: the quality net's weight on low2high (mean, and its std over pixels) on the
    clean and on the hard non-keyframes (``subsets`` from :func:`.hardships.val_subsets`). A
    fusion that chooses gives the clean frames more than the hard ones."""
    rows = []
    for name in ('clean', 'hard'):
        members = set(subsets[name])
        mine = [r for r in records if r['index'] in members]
        cells = [f"{statistics.fmean(r[k] for r in mine):.3f}" if mine else '-'
                 for k in ('w_low2high', 'w_low2high_std')]
        rows.append([name, len(mine), *cells])
    return markdown_table(['non-keyframes', 'frames', 'w_low2high', 'w_low2high_std'], rows)


def variant_rows(config: str, checkpoint: str, variants: list[str], root: str,
                 cfg_options: dict | None = None) -> list[list]:
    """[variant, AP@0.5 all, clean, hard] of ``checkpoint`` tested with each DFA variant on the
    config's test set (the synthetic val set under ``root``), frames in order as tools/test.py
    runs them."""
    from mmcv import Config
    from mmcv.parallel import MMDataParallel
    from mmtrack.apis import init_model, single_gpu_test
    from mmtrack.datasets import build_dataloader, build_dataset

    from .dfa_variants import variant_options
    from .hardships import hardship_ap50
    rows, loader = [], None
    for variant in variants:
        variant_cfg = Config.fromfile(config)
        variant_cfg.merge_from_dict({**(cfg_options or {}), **variant_options(variant)})
        model = MMDataParallel(init_model(variant_cfg, checkpoint, device='cpu'))
        if loader is None:  # the variants change the model only: one test set for all
            loader = build_dataloader(build_dataset(variant_cfg.data.test), samples_per_gpu=1,
                                      workers_per_gpu=0, dist=False, shuffle=False)
        results = single_gpu_test(model, loader)['det_bboxes']
        aps = hardship_ap50(results, root)
        rows.append([variant, *(round(aps[k][0], 4) for k in ('all', 'clean', 'hard'))])
    return rows
