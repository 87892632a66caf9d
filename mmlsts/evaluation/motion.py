"""mAP on slow, medium and fast objects: FGFA's motion-IoU evaluation, from the annotations alone.

Video detection papers (FGFA, MEGA, SELSA, ...) split ImageNet VID's ground truth by how fast each
object moves. The *motion IoU* of the box of instance i at frame t is the mean IoU of that box
with the boxes of the same instance in the frames k of the same video with 1 <= |k - t| <= 10
where it is annotated, 0 where there is none. Groups (both ends inclusive): fast [0, 0.7],
medium [0.7, 0.9], slow [0.9, 1.0], and all [0, 1].

The evaluation follows FGFA's ``vid_eval_motion`` (lib/dataset/imagenet_vid_eval_motion.py in
msracver/Flow-Guided-Feature-Aggregation), re-implemented here with vectorised numpy:

- boxes in the +1 pixel convention (a box [x1, y1, x2, y2] is (x2 - x1 + 1) wide); the IoU
  threshold of a ground truth w x h is min(0.5, wh / ((w + 10)(h + 10)));
- in each image, detections in descending score order take the unmatched ground truth of their
  class with the highest IoU at or above its threshold; ground truths outside the group take part
  in this matching (so the matching is the same for every group);
- within a group, ground truths outside it are ignored: not positives, and a detection matched to
  one is neither a true nor a false positive. An unmatched detection is a false positive of
  weight 1 if its best IoU with an in-group ground truth (any class) beats its best with an
  ignored one, 0 if the reverse, the share of ignored ground truths in its image on a tie, and
  the share of all evaluated ground truths that lie in the group if its image has none;
- VOC AP (area under the precision envelope, integrated over recall) per class; the group's mAP
  is the mean over the classes with at least one positive in the group, NaN (reported as "no
  ground truth") when the group has none.

Public functions: :func:`motion_iou` (per annotation), :func:`motion_group_shares` (each group's
share of the ground-truth boxes of an annotation file), :func:`vid_eval_motion` (the evaluation)
and :func:`motion_table` (the small table that is logged). Inputs are CocoVID-format annotations
(a JSON path or its loaded dict, as written by MMTracking's and our ILSVRC converters), so the
evaluation works on any split and on any CocoVID data set, not only on ImageNet VID val.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

__all__ = [
    'MOTION_GROUPS', 'load_coco_vid', 'motion_iou', 'motion_group_shares', 'vid_eval_motion',
    'frame_results', 'motion_table'
]

#: group name -> (lowest, highest) motion IoU, both inclusive, in the order they are reported.
MOTION_GROUPS: dict[str, tuple[float, float]] = {
    'all': (0.0, 1.0), 'slow': (0.9, 1.0), 'medium': (0.7, 0.9), 'fast': (0.0, 0.7)}
MOTION_WINDOW = 10  # frames on each side
PIXEL_TOLERANCE = 10
DEFAULT_IOU_THR = 0.5
_PAIRS_PER_CHUNK = 1 << 22  # detection x ground-truth pairs held in memory at once


# --------------------------------------------------------------------------------------------
# annotations and motion IoU
# --------------------------------------------------------------------------------------------

def load_coco_vid(ann: str | Mapping[str, Any]) -> Mapping[str, Any]:
    """The CocoVID dict of ``ann``: a JSON path, a loaded dict, or a pycocotools/CocoVID object."""
    if isinstance(ann, str):
        with open(ann) as f:
            ann = json.load(f)
    elif hasattr(ann, 'dataset') and not isinstance(ann, Mapping):
        ann = ann.dataset
    if not isinstance(ann, Mapping):
        raise TypeError(f'annotations: expected a CocoVID JSON path or dict, got {type(ann)}')
    for key in ('images', 'annotations'):
        if key not in ann:
            raise KeyError(f'annotations: no {key!r} list (keys: {sorted(ann)}); give a '
                           'CocoVID-format file such as annotations/imagenet_vid_val.json')
    return ann


def _xyxy(bbox: np.ndarray) -> np.ndarray:
    """COCO [x, y, w, h] (w = xmax - xmin, as the ILSVRC converters write) to inclusive x1y1x2y2."""
    bbox = np.asarray(bbox, np.float64).reshape(-1, 4)
    return np.concatenate([bbox[:, :2], bbox[:, :2] + bbox[:, 2:]], axis=1)


def _pair_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of the rows of ``a`` with the same rows of ``b`` (N x 4 each, +1 pixel convention)."""
    iw = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]) + 1
    ih = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]) + 1
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    union = ((a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
             + (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1) - inter)
    safe = np.where(union > 0, union, 1.0)
    return np.where(union > 0, inter / safe, 0.0)


def _annotation_arrays(ann: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Per annotation: id, image id, category id, inclusive box, video id, frame id, instance id.

    Images without a video (still images) get video and frame -1; annotations without an
    ``instance_id`` get -1 (no neighbour, motion IoU 0).
    """
    anns = ann['annotations']
    images = ann['images']
    img_id = np.fromiter((im['id'] for im in images), np.int64, len(images))
    img_vid = np.fromiter((im.get('video_id', -1) for im in images), np.int64, len(images))
    img_frame = np.fromiter((im.get('frame_id', -1) for im in images), np.int64, len(images))
    order = np.argsort(img_id, kind='stable')
    img_id, img_vid, img_frame = img_id[order], img_vid[order], img_frame[order]
    a_img = np.fromiter((a['image_id'] for a in anns), np.int64, len(anns))
    pos = np.searchsorted(img_id, a_img)
    pos_ok = pos < len(img_id)
    found = np.zeros(len(anns), bool)
    found[pos_ok] = img_id[pos[pos_ok]] == a_img[pos_ok]
    if not found.all():
        bad = int(a_img[~found][0])
        raise KeyError(f'annotations: annotation of image_id {bad} that is not in "images"')
    try:
        boxes = np.array([a['bbox'] for a in anns], np.float64).reshape(len(anns), 4)
    except (KeyError, ValueError) as e:
        raise ValueError('annotations: every annotation needs a "bbox" of 4 numbers '
                         f'[x, y, w, h] ({e})') from None
    return dict(
        id=np.fromiter((a['id'] for a in anns), np.int64, len(anns)),
        image_id=a_img,
        category_id=np.fromiter((a['category_id'] for a in anns), np.int64, len(anns)),
        box=_xyxy(boxes),
        video=img_vid[pos], frame=img_frame[pos],
        instance=np.fromiter((a.get('instance_id', -1) for a in anns), np.int64, len(anns)))


def _motion_iou_arrays(arr: Mapping[str, np.ndarray], window: int) -> np.ndarray:
    """Motion IoU of every annotation in ``arr`` (see the module docstring), vectorised.

    Sorted by (video, instance, frame), the neighbours of an annotation within ``window`` frames
    are a run around it; shifting the sorted arrays by s = 1, 2, ... pairs every annotation with
    its s-th successor until no pair of the same track is within the window any more.
    """
    n = len(arr['id'])
    tracked = (arr['video'] >= 0) & (arr['instance'] >= 0) & (arr['frame'] >= 0)
    idx = np.flatnonzero(tracked)
    idx = idx[np.lexsort((arr['frame'][idx], arr['instance'][idx], arr['video'][idx]))]
    video, inst, frame = arr['video'][idx], arr['instance'][idx], arr['frame'][idx]
    boxes = arr['box'][idx]
    total = np.zeros(len(idx))
    count = np.zeros(len(idx))
    for s in range(1, len(idx)):
        same = (video[s:] == video[:-s]) & (inst[s:] == inst[:-s])
        gap = frame[s:] - frame[:-s]
        near = same & (gap <= window)
        if not near.any():
            break
        pair = np.flatnonzero(near & (gap >= 1))
        iou = _pair_iou(boxes[pair], boxes[pair + s])
        total += np.bincount(pair, iou, len(idx)) + np.bincount(pair + s, iou, len(idx))
        count += np.bincount(pair, None, len(idx)) + np.bincount(pair + s, None, len(idx))
    out = np.zeros(n)
    out[idx] = np.divide(total, count, out=np.zeros(len(idx)), where=count > 0)
    return out


def motion_iou(ann: str | Mapping[str, Any],
               window: int = MOTION_WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Motion IoU of every annotation of a CocoVID annotation file or dict.

    For the box of instance i (``instance_id``) at frame t (its image's ``frame_id``), the mean
    IoU with the boxes of the same instance in the frames k of the same video with
    1 <= |k - t| <= ``window`` where it is annotated; 0 where there is no such frame (a
    1-frame video, an isolated box, a still image, an annotation without ``instance_id``).

    Returns:
        ``(annotation ids, motion IoUs)``, two arrays in the order of ``ann['annotations']``.
    """
    if window < 1:
        raise ValueError(f'motion_iou: window must be >= 1 frame, got {window}')
    arr = _annotation_arrays(load_coco_vid(ann))
    return arr['id'], _motion_iou_arrays(arr, window)


def _in_group(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _check_groups(groups: Mapping[str, tuple[float, float]]) -> None:
    for name, bounds in groups.items():
        if len(bounds) != 2 or not 0 <= bounds[0] <= bounds[1] <= 1:
            raise ValueError(f'groups[{name!r}]: expected (low, high) with 0 <= low <= high '
                             f'<= 1, got {bounds}')


def motion_group_shares(ann: str | Mapping[str, Any],
                        groups: Mapping[str, tuple[float, float]] = MOTION_GROUPS,
                        window: int = MOTION_WINDOW) -> dict[str, dict[str, Any]]:
    """Each motion group's share of the ground-truth boxes of a CocoVID annotation file or dict.

    Every annotation of the file counts (all its videos and frames). Groups share their end
    points (0.7 and 0.9 belong to two groups), so the shares of slow, medium and fast can add
    up to slightly more than 1.

    Returns:
        ``{group: {'range': (low, high), 'count': boxes in the group, 'share': count / all
        boxes (NaN when the file has no box)}}`` in the order of ``groups``.
    """
    _check_groups(groups)
    _, values = motion_iou(ann, window)
    out = {}
    for name, bounds in groups.items():
        count = int(_in_group(values, bounds).sum())
        out[name] = dict(range=tuple(bounds), count=count,
                         share=count / len(values) if len(values) else math.nan)
    return out


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------

def frame_results(results: Any, num_frames: int | None = None) -> list:
    """Per-frame, per-class (k, 5) detections from any MMTracking / mmdet results object.

    Accepts MMTracking's VID results ``{'det_bboxes': [frame][class] arrays, ...}`` and mmdet's
    plain list ``[frame][class]`` (or ``[frame] = (bbox results, mask results)``). With
    ``num_frames``, results of another length are an error naming both numbers.
    """
    if isinstance(results, Mapping):
        if 'det_bboxes' not in results:
            raise KeyError('results: a dict without "det_bboxes" (keys: '
                           f'{sorted(results)}); expected the output of a VID detector')
        results = results['det_bboxes']
    if not isinstance(results, Sequence) or isinstance(results, (str, bytes)):
        raise TypeError(f'results: expected a list of per-frame detections, got {type(results)}')
    if num_frames is not None and len(results) != num_frames:
        raise ValueError(f'results: detections for {len(results)} frames, but the data set has '
                         f'{num_frames} frames; were they made on this test set (same config, '
                         'same ann_file)?')
    if len(results) and isinstance(results[0], tuple):
        results = [r[0] for r in results]
    return results


def _flatten(results: Sequence, num_classes: int) -> dict[str, np.ndarray]:
    """All detections as arrays (image index, class index, box, score), image-major."""
    per_frame = np.fromiter(map(len, results), np.int64, len(results))
    if len(results) and (per_frame != num_classes).any():
        frame = int(np.flatnonzero(per_frame != num_classes)[0])
        raise ValueError(f'results: frame {frame} has {per_frame[frame]} class arrays, expected '
                         f'{num_classes} (one (k, 5) array per class of the data set)')
    arrays = list(chain.from_iterable(results))
    counts = np.fromiter(map(len, arrays), np.int64, len(arrays))
    if counts.sum():
        try:
            flat = np.concatenate([a for a, c in zip(arrays, counts) if c], axis=0)
        except ValueError as e:
            raise ValueError(f'results: detections must be (k, 5) arrays [x1, y1, x2, y2, score] '
                             f'({e})') from None
        if flat.dtype not in (np.float32, np.float64):
            flat = flat.astype(np.float64)
        if flat.ndim != 2 or flat.shape[1] != 5:
            raise ValueError(f'results: detections must be (k, 5) arrays [x1, y1, x2, y2, score],'
                             f' got rows of shape {flat.shape[1:]}')
    else:
        flat = np.zeros((0, 5))
    classes = np.tile(np.arange(num_classes), len(results))
    frames = np.repeat(np.arange(len(results)), num_classes)
    return dict(image=np.repeat(frames, counts), label=np.repeat(classes, counts),
                box=flat[:, :4], score=flat[:, 4])


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------

def _positions(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of every value in ``keys`` (unique), -1 where it is not there."""
    if not len(keys):
        return np.full(len(values), -1, np.int64)
    order = np.argsort(keys, kind='stable')
    pos = np.minimum(np.searchsorted(keys[order], values), len(keys) - 1)
    return np.where(keys[order][pos] == values, order[pos], -1)


def _ground_truth(arr: Mapping[str, np.ndarray], miou: np.ndarray, img_ids: np.ndarray,
                  cat_ids: np.ndarray) -> dict[str, np.ndarray]:
    """The evaluated ground truth (its image in ``img_ids``, its class in ``cat_ids``).

    Sorted by image index (the position in ``img_ids``); ``label`` is the position in
    ``cat_ids``; ``thr`` is the per-box IoU threshold min(0.5, wh / ((w + 10)(h + 10))).
    """
    image = _positions(img_ids, arr['image_id'])
    label = _positions(cat_ids, arr['category_id'])
    keep = np.flatnonzero((image >= 0) & (label >= 0))
    keep = keep[np.argsort(image[keep], kind='stable')]
    box = arr['box'][keep]
    w, h = box[:, 2] - box[:, 0] + 1, box[:, 3] - box[:, 1] + 1
    thr = np.minimum(DEFAULT_IOU_THR, w * h / ((w + PIXEL_TOLERANCE) * (h + PIXEL_TOLERANCE)))
    return dict(image=image[keep], label=label[keep], box=box, thr=thr, miou=miou[keep])


def _chunks(pairs_per_image: np.ndarray) -> list[tuple[int, int]]:
    """Image ranges [i0, i1) holding about _PAIRS_PER_CHUNK detection-GT pairs each."""
    cum = np.cumsum(pairs_per_image)
    bounds = [0]
    while bounds[-1] < len(pairs_per_image):
        done = cum[bounds[-1] - 1] if bounds[-1] else 0
        nxt = int(np.searchsorted(cum, done + _PAIRS_PER_CHUNK, side='right'))
        bounds.append(max(nxt, bounds[-1] + 1))
    return list(zip(bounds[:-1], bounds[1:]))


def _overlaps(det: Mapping[str, np.ndarray], gt: Mapping[str, np.ndarray], num_images: int,
              in_groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matching candidates and, per group, where each detection overlaps ground truth most.

    Returns ``(candidates (M, 2) [det, gt], their IoUs (M,), side (G, D) int8)``: ``side[g]`` is
    +1 where the detection's best IoU with a ground truth (any class) of group g in its image
    beats its best with one outside the group, -1 for the reverse, 0 on a tie (also when its
    image has no ground truth at all).
    """
    num_det = len(det['score'])
    gt_count = np.bincount(gt['image'], minlength=num_images)
    gt_start = np.concatenate([[0], np.cumsum(gt_count)[:-1]])
    det_count = np.bincount(det['image'], minlength=num_images)
    det_start = np.concatenate([[0], np.cumsum(det_count)[:-1]])
    side = np.zeros((len(in_groups), num_det), np.int8)
    # with IoU 0 everywhere, a detection's best IoU in (out of) the group is 0 if its image has
    # a ground truth in (out of) the group, else -1; pairs that overlap can only raise it
    has_in = np.stack([np.bincount(gt['image'], g, num_images) > 0 for g in in_groups])
    has_out = np.stack([np.bincount(gt['image'], ~g, num_images) > 0 for g in in_groups])
    cand_det, cand_gt, cand_ov = [], [], []
    for i0, i1 in _chunks(det_count * gt_count):
        d0, d1 = det_start[i0], det_start[i1 - 1] + det_count[i1 - 1]
        dets = np.arange(d0, d1)
        per_det = gt_count[det['image'][dets]]
        dets = dets[per_det > 0]
        per_det = per_det[per_det > 0]
        if not len(dets):
            continue
        pair_det = np.repeat(dets, per_det)
        seg = np.concatenate([[0], np.cumsum(per_det)[:-1]])
        pair_gt = (np.arange(len(pair_det)) - np.repeat(seg, per_det)
                   + np.repeat(gt_start[det['image'][dets]], per_det))
        ov = _pair_iou(det['box'][pair_det], gt['box'][pair_gt])
        cand = (det['label'][pair_det] == gt['label'][pair_gt]) & (ov >= gt['thr'][pair_gt])
        cand_det.append(pair_det[cand])
        cand_gt.append(pair_gt[cand])
        cand_ov.append(ov[cand])
        hit = np.flatnonzero(ov > 0)
        p_det, p_gt, p_ov = pair_det[hit], pair_gt[hit], ov[hit]
        starts = np.flatnonzero(np.concatenate([[True], p_det[1:] != p_det[:-1]]))
        users = p_det[starts] - d0
        image = det['image'][d0:d1]
        for g, in_group in enumerate(in_groups):
            best_in = np.where(has_in[g, image], 0.0, -1.0)
            best_out = np.where(has_out[g, image], 0.0, -1.0)
            if len(hit):
                inside = in_group[p_gt]
                best_in[users] = np.maximum(
                    best_in[users], np.maximum.reduceat(np.where(inside, p_ov, -1.0), starts))
                best_out[users] = np.maximum(
                    best_out[users], np.maximum.reduceat(np.where(inside, -1.0, p_ov), starts))
            side[g, d0:d1] = np.sign(best_in - best_out)
    if cand_det:
        cands = np.stack([np.concatenate(cand_det), np.concatenate(cand_gt)], axis=1)
        return cands, np.concatenate(cand_ov), side
    return np.zeros((0, 2), np.int64), np.zeros(0), side


def _greedy_match(cands: np.ndarray, ov: np.ndarray, det: Mapping[str, np.ndarray],
                  num_gt: int) -> np.ndarray:
    """Index of the ground truth each detection takes (-1: none), FGFA's greedy rule.

    Detections of one image go in descending score order (ties: in the order of the results);
    each takes the still unmatched candidate with the highest IoU (the first ground truth on a
    tie). Only detections with a candidate can take one, so only their order matters: the r-th
    such detection of every image is resolved in the same round, as they never compete.
    """
    matched = np.full(len(det['score']), -1, np.int64)
    if not len(cands):
        return matched
    users = np.unique(cands[:, 0])  # detections with a candidate, image-major
    image = det['image'][users]
    by_score = np.lexsort((users, -det['score'][users], image))
    first = np.searchsorted(image[by_score], image[by_score], side='left')
    rank = np.empty(len(users), np.int64)
    rank[by_score] = np.arange(len(users)) - first
    c_det, c_gt = cands[:, 0], cands[:, 1]
    c_rank = rank[np.searchsorted(users, c_det)]
    order = np.lexsort((c_gt, -ov, c_det, c_rank))
    c_det, c_gt, c_rank = c_det[order], c_gt[order], c_rank[order]
    taken = np.zeros(num_gt, bool)
    edges = np.flatnonzero(np.diff(c_rank)) + 1
    for lo, hi in zip(np.concatenate([[0], edges]), np.concatenate([edges, [len(c_rank)]])):
        d, g = c_det[lo:hi], c_gt[lo:hi]
        free = ~taken[g]
        d, g = d[free], g[free]
        if not len(d):
            continue
        best = np.concatenate([[True], d[1:] != d[:-1]])  # sorted by -IoU within a detection
        matched[d[best]] = g[best]
        taken[g[best]] = True
    return matched


def _voc_ap_per_class(label: np.ndarray, tp: np.ndarray, fp: np.ndarray,
                      npos: np.ndarray) -> np.ndarray:
    """VOC AP of every class (NaN where it has no positive).

    The detections come sorted by class, and by descending score within a class. AP = sum over
    the true positives of (1 / npos) x the precision envelope there, which is the area under
    the envelope integrated over recall.
    """
    num_classes = len(npos)
    counts = np.bincount(label, minlength=num_classes)
    base = np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    ctp, cfp = np.cumsum(tp), np.cumsum(fp)
    ctp = ctp - np.concatenate([[0.0], ctp])[base]
    cfp = cfp - np.concatenate([[0.0], cfp])[base]
    prec = ctp / np.maximum(ctp + cfp, np.finfo(np.float64).eps)
    # precision envelope: running max from the end of each class, kept per class by offsets
    offset = 2.0 * (num_classes - label)  # grows along the reversed order
    env = np.maximum.accumulate((prec + offset)[::-1])[::-1] - offset
    ap_sum = np.bincount(label, np.where(tp > 0, env, 0.0), minlength=num_classes)
    return np.where(npos > 0, ap_sum / np.maximum(npos, 1), np.nan)


def vid_eval_motion(results: Any, ann: str | Mapping[str, Any],
                    img_ids: Sequence[int] | None = None, cat_ids: Sequence[int] | None = None,
                    groups: Mapping[str, tuple[float, float]] = MOTION_GROUPS,
                    window: int = MOTION_WINDOW,
                    motion_ious: np.ndarray | None = None) -> dict[str, float]:
    """FGFA's mAP per motion group of video detection results (see the module docstring).

    Args:
        results: per-frame, per-class (k, 5) arrays [x1, y1, x2, y2, score] in the order of
            ``img_ids``, in any form :func:`frame_results` takes (MMTracking's
            ``{'det_bboxes': ...}`` or mmdet's list).
        ann: the CocoVID annotations (JSON path or dict) of the evaluated frames.
        img_ids: image ids of the result frames, in order (default: ``ann['images']`` order).
        cat_ids: category ids of the result classes, in order (default: ``ann['categories']``).
        groups: name -> (low, high) motion IoU, both inclusive.
        window: frames on each side for the motion IoU.
        motion_ious: precomputed :func:`motion_iou` values for ``ann['annotations']``.

    Returns:
        ``motion_mAP_<group>`` (a fraction in [0, 1]; NaN for a group without ground truth),
        ``motion_gt_count_<group>`` and ``motion_gt_share_<group>`` (share of the evaluated
        ground-truth boxes; NaN without any) for every group.
    """
    _check_groups(groups)
    ann = load_coco_vid(ann)
    arr = _annotation_arrays(ann)
    if motion_ious is None:
        motion_ious = _motion_iou_arrays(arr, window)
    elif len(motion_ious) != len(arr['id']):
        raise ValueError(f'motion_ious: {len(motion_ious)} values for '
                         f'{len(arr["id"])} annotations')
    img_ids = np.asarray([im['id'] for im in ann['images']] if img_ids is None else img_ids,
                         np.int64)
    if cat_ids is None:
        cat_ids = [c['id'] for c in ann.get('categories', [])]
    cat_ids = np.asarray(cat_ids, np.int64)
    if not len(cat_ids):
        raise ValueError('vid_eval_motion: no classes (empty cat_ids and no "categories")')
    det = _flatten(frame_results(results, len(img_ids)), len(cat_ids))
    gt = _ground_truth(arr, np.asarray(motion_ious, np.float64), img_ids, cat_ids)
    num_images, num_gt = len(img_ids), len(gt['image'])

    in_groups = np.stack([_in_group(gt['miou'], b) for b in groups.values()]).reshape(
        len(groups), num_gt)
    cands, cand_ov, side = _overlaps(det, gt, num_images, in_groups)
    matched = _greedy_match(cands, cand_ov, det, num_gt)
    # every detection of the set by class, then descending score (ties: results order)
    order = np.argsort(-det['score'], kind='stable')
    small = np.int16 if len(cat_ids) < 2 ** 15 else np.int64  # int16: numpy's radix sort
    order = order[np.argsort(det['label'][order].astype(small), kind='stable')]
    label, matched, side = det['label'][order], matched[order], side[:, order]
    image = det['image'][order]
    hit = matched >= 0
    gt_in_image = np.bincount(gt['image'], minlength=num_images)

    out: dict[str, float] = {}
    for g, name in enumerate(groups):
        in_group = in_groups[g]
        share = float(in_group.mean()) if num_gt else math.nan
        tp = np.zeros(len(order))
        tp[hit] = in_group[matched[hit]]
        ignored = np.bincount(gt['image'], ~in_group, minlength=num_images)
        tie = np.where(gt_in_image > 0, ignored / np.maximum(gt_in_image, 1),
                       0.0 if math.isnan(share) else share)[image]
        fp = np.where(side[g] > 0, 1.0, np.where(side[g] < 0, 0.0, tie))
        fp[hit] = 0.0
        npos = np.bincount(gt['label'][in_group], minlength=len(cat_ids)).astype(np.float64)
        ap = _voc_ap_per_class(label, tp, fp, npos)
        out[f'motion_mAP_{name}'] = float(np.nanmean(ap)) if (npos > 0).any() else math.nan
        out[f'motion_gt_count_{name}'] = int(in_group.sum())
        out[f'motion_gt_share_{name}'] = share
    return out


def motion_table(eval_results: Mapping[str, float],
                 groups: Mapping[str, tuple[float, float]] = MOTION_GROUPS) -> str:
    """The logged table: per group its motion IoU range, GT boxes, GT share and mAP.

    A group without ground truth shows "n/a (no GT)" instead of a number.
    """
    from terminaltables import AsciiTable
    rows = [['motion group', 'motion IoU', 'GT boxes', 'GT share', 'mAP']]
    for name, (low, high) in groups.items():
        m_ap = eval_results[f'motion_mAP_{name}']
        share = eval_results[f'motion_gt_share_{name}']
        rows.append([name, f'[{low:g}, {high:g}]', str(eval_results[f'motion_gt_count_{name}']),
                     'n/a' if math.isnan(share) else f'{share:.3f}',
                     'n/a (no GT)' if math.isnan(m_ap) else f'{m_ap:.3f}'])
    table = AsciiTable(rows)
    table.inner_footing_row_border = False
    return table.table
