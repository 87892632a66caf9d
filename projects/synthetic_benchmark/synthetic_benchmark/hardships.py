"""AP@0.5 of a synthetic-set test run, split by hardship: where does temporal context help?

``tools/make_synthetic_vid.py`` records which frames carry each hardship (motion blur, occlusion,
defocus, rare pose) in ``synthetic_info.json``. Given the detections that ``tools/test.py --out``
saves for the val set, :func:`hardship_ap50` gives the AP at IoU 0.5 on all frames, on the clean
ones, on the hard ones and on each hardship. It is mmdet's VOC-style ``eval_map`` (area under the
precision envelope, mean over the classes present in the subset), so its "all" column is close
to, not equal to, the COCO-style ``bbox_mAP_50`` of ``--eval bbox``. The CLI is
``tools/eval_hardships.py``.
"""
from __future__ import annotations

import json
import os.path as osp
import pickle

import numpy as np

from mmlsts.datasets.synthetic import HARDSHIPS, INFO_NAME

__all__ = ['hardship_ap50', 'load_detections', 'val_subsets', 'SUBSETS']

SUBSETS = ('all', 'clean', 'hard') + HARDSHIPS


def load_detections(path: str) -> list[list[np.ndarray]]:
    """Per-frame, per-class (k, 5) arrays from a ``tools/test.py --out`` pickle."""
    with open(path, 'rb') as f:
        results = pickle.load(f)
    if isinstance(results, dict):
        if 'det_bboxes' not in results:
            raise ValueError(f'{path}: a dict without det_bboxes (keys: {sorted(results)}); '
                             'give the --out file of tools/test.py for a VID detector')
        results = results['det_bboxes']
    return results


def _boxes_per_image(ann: dict) -> list[dict]:
    """mmdet ``eval_map`` annotations (``bboxes``, ``labels``) of every image, in order."""
    labels = {c['id']: i for i, c in enumerate(ann['categories'])}
    per_image: dict[int, list] = {}
    for a in ann['annotations']:
        per_image.setdefault(a['image_id'], []).append(a)
    gts = []
    for image in ann['images']:
        objs = per_image.get(image['id'], [])
        boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (a['bbox'] for a in objs)],
                         np.float32).reshape(-1, 4)
        gts.append(dict(bboxes=boxes,
                        labels=np.array([labels[a['category_id']] for a in objs], np.int64)))
    return gts


def val_subsets(root: str, ann_file: str | None = None) -> tuple[dict, dict[str, list[int]]]:
    """(the val annotation file's content, {subset: indices of its images}) for the synthetic
    set under ``root``: every image is in 'all', in 'clean' or 'hard', and in each of its
    hardships."""
    ann_file = ann_file or osp.join(root, 'annotations', 'imagenet_vid_val.json')
    info_file = osp.join(root, INFO_NAME)
    for path in (ann_file, info_file):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} not found: give the root of a converted synthetic '
                                    'set (tools/make_synthetic_vid.py, then the converter)')
    with open(ann_file) as f:
        ann = json.load(f)
    with open(info_file) as f:
        info = json.load(f)
    kinds: dict[tuple[str, int], list[str]] = {}
    for kind, frames in info['hardships'].items():
        for split, video, frame in frames:
            if split == 'val':
                kinds.setdefault((video, frame), []).append(kind)
    subsets: dict[str, list[int]] = {name: [] for name in SUBSETS}
    for i, image in enumerate(ann['images']):
        video = image['file_name'].rsplit('/', 1)[0]
        frame_kinds = kinds.get((video, image['frame_id']), [])
        subsets['all'].append(i)
        subsets['hard' if frame_kinds else 'clean'].append(i)
        for kind in frame_kinds:
            subsets[kind].append(i)
    return ann, subsets


def hardship_ap50(detections: list[list[np.ndarray]], root: str,
                  ann_file: str | None = None) -> dict[str, tuple[float, int]]:
    """{subset: (AP@0.5, number of frames)} over the synthetic val set under ``root``."""
    from mmdet.core import eval_map
    ann, subsets = val_subsets(root, ann_file)
    if len(detections) != len(ann['images']):
        raise ValueError(f'{len(detections)} frames of detections but {len(ann["images"])} '
                         f'images in {ann_file or root}: were they made on this val set?')
    gts = _boxes_per_image(ann)
    out = {}
    for name, idx in subsets.items():
        if not idx:
            out[name] = (float('nan'), 0)
            continue
        ap, _ = eval_map([detections[i] for i in idx], [gts[i] for i in idx], iou_thr=0.5,
                         logger='silent')
        out[name] = (float(ap), len(idx))
    return out
