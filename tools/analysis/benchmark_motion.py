"""Speed of the motion-IoU evaluation on a generated set the size of ImageNet VID val.

    python tools/analysis/benchmark_motion.py [--videos 555] [--frames 176126]
        [--boxes-per-frame 1.5] [--dets-per-frame 100] [--classes 30] [--seed 0]
        [--out work_dirs/benchmark_motion/benchmark_motion.md] [--save-ann ANN.json]

Generates, in memory, a CocoVID annotation dict of ``--videos`` videos and ``--frames`` frames in
all (ImageNet VID val: 555 and 176,126) with a few instances per video moving smoothly at speeds
from nearly still to fast, visible on part of their video (about ``--boxes-per-frame`` boxes per
frame), and matching results in MMTracking's format: a jittered detection of most boxes and
false positives up to ``--dets-per-frame`` per frame (MMTracking's VID test configs keep up to
100). Times :func:`mmlsts.evaluation.motion_iou` and :func:`mmlsts.evaluation.vid_eval_motion`
(which computes the motion IoU again), wall clock (``mmcv.Timer``) and CPU time of this process
(the wall time grows when other processes share the CPU), and writes a markdown table.
"""
from __future__ import annotations

import argparse
import os
import os.path as osp
import resource
import sys
import time

import numpy as np


def video_lengths(rng: np.random.Generator, videos: int, frames: int) -> np.ndarray:
    """``videos`` lengths (>= 2) summing to ``frames``, spread like VID's (tens to thousands)."""
    if frames < 2 * videos:
        raise SystemExit(f'--frames {frames} must be at least 2 x --videos {videos}')
    raw = rng.lognormal(0.0, 0.7, videos)
    lengths = np.maximum(2, np.floor(raw / raw.sum() * frames)).astype(np.int64)
    while lengths.sum() != frames:  # exact total: nudge random videos by one frame
        step = 1 if lengths.sum() < frames else -1
        i = int(rng.integers(videos))
        if lengths[i] + step >= 2:
            lengths[i] += step
    return lengths


def make_annotations(rng: np.random.Generator, lengths: np.ndarray, boxes_per_frame: float,
                     classes: int, size: tuple[int, int] = (720, 1280)) -> dict:
    """CocoVID dict: a few instances per video on smooth paths, each visible on an interval."""
    h, w = size
    images, anns, videos = [], [], []
    img_id, ann_id, inst_id = 1, 1, 0
    for v, n in enumerate(lengths):
        videos.append(dict(id=v + 1, name=f'val/video_{v:05d}'))
        frame_ids = list(range(img_id, img_id + n))
        images += [dict(id=i, video_id=v + 1, frame_id=t, file_name=f'val/video_{v:05d}/'
                        f'{t:06d}.JPEG', width=w, height=h) for t, i in enumerate(frame_ids)]
        img_id += n
        # 1-3 instances (2 on average), each on 75 % of its video on average at 1.5 boxes/frame
        for _ in range(int(rng.integers(1, 4))):
            part = min(1.0, rng.uniform(0.5, 1.0) * boxes_per_frame / 1.5)
            span = max(1, int(round(n * part)))
            start = int(rng.integers(0, n - span + 1))
            t = np.arange(start, start + span)
            side = rng.uniform(40, 400)
            aspect = rng.uniform(0.6, 1.6)
            bw, bh = side * np.sqrt(aspect), side / np.sqrt(aspect)
            speed = side * 10 ** rng.uniform(-3, -0.8)  # pixels per frame: still to fast
            angle = rng.uniform(0, 2 * np.pi)
            wobble = rng.uniform(0.05, 0.3) * np.sin(t / rng.uniform(10, 60))
            scale = 1 + wobble
            cx = (rng.uniform(0.3, 0.7) * w + speed * t * np.cos(angle)) % w
            cy = (rng.uniform(0.3, 0.7) * h + speed * t * np.sin(angle)) % h
            x1 = np.clip(cx - bw * scale / 2, 0, w - 2)
            y1 = np.clip(cy - bh * scale / 2, 0, h - 2)
            x2 = np.clip(cx + bw * scale / 2, x1 + 1, w - 1)
            y2 = np.clip(cy + bh * scale / 2, y1 + 1, h - 1)
            cat = int(rng.integers(1, classes + 1))
            for k, f in enumerate(t):
                anns.append(dict(id=ann_id, image_id=frame_ids[f], category_id=cat,
                                 instance_id=inst_id, bbox=[round(float(x1[k]), 1),
                                 round(float(y1[k]), 1), round(float(x2[k] - x1[k]), 1),
                                 round(float(y2[k] - y1[k]), 1)], area=0.0, iscrowd=False,
                                 occluded=False, generated=False))
                ann_id += 1
            inst_id += 1
    return dict(videos=videos, images=images, annotations=anns,
                categories=[dict(id=c, name=f'class_{c}') for c in range(1, classes + 1)])


def make_results(rng: np.random.Generator, ann: dict, dets_per_frame: int, classes: int,
                 size: tuple[int, int] = (720, 1280)) -> dict:
    """MMTracking VID results: jittered true detections (90 % of boxes) plus false positives."""
    h, w = size
    num_frames = len(ann['images'])
    index = {im['id']: i for i, im in enumerate(ann['images'])}
    gt_img = np.array([index[a['image_id']] for a in ann['annotations']])
    gt_cls = np.array([a['category_id'] - 1 for a in ann['annotations']])
    gt_box = np.array([a['bbox'] for a in ann['annotations']], np.float64)
    gt_box[:, 2:] += gt_box[:, :2]
    found = rng.random(len(gt_img)) < 0.9
    jitter = rng.normal(0, 0.04, (len(gt_img), 4)) * np.tile(gt_box[:, 2:] - gt_box[:, :2], 2)
    tp_box = (gt_box + jitter)[found]
    tp = np.concatenate([tp_box, rng.uniform(0.3, 1.0, (len(tp_box), 1))], axis=1)
    tp_img, tp_cls = gt_img[found], gt_cls[found]
    per_frame_tp = np.bincount(tp_img, minlength=num_frames)
    num_fp = np.maximum(dets_per_frame - per_frame_tp, 0)
    fp_img = np.repeat(np.arange(num_frames), num_fp)
    xy = rng.uniform(0, 1, (len(fp_img), 2)) * [w, h]
    wh = rng.uniform(20, 300, (len(fp_img), 2))
    fp = np.concatenate([xy, xy + wh, rng.uniform(1e-4, 0.6, (len(fp_img), 1)) ** 2], axis=1)
    fp_cls = rng.integers(0, classes, len(fp_img))
    img = np.concatenate([tp_img, fp_img])
    cls = np.concatenate([tp_cls, fp_cls])
    dets = np.concatenate([tp, fp]).astype(np.float32)
    order = np.lexsort((cls, img))
    dets = dets[order]
    counts = np.bincount(img * classes + cls, minlength=num_frames * classes)
    arrays = np.split(dets, np.cumsum(counts)[:-1])
    return dict(det_bboxes=[arrays[f * classes:(f + 1) * classes] for f in range(num_frames)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--videos', type=int, default=555)
    parser.add_argument('--frames', type=int, default=176126)
    parser.add_argument('--boxes-per-frame', type=float, default=1.5)
    parser.add_argument('--dets-per-frame', type=int, default=100)
    parser.add_argument('--classes', type=int, default=30)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default='work_dirs/benchmark_motion/benchmark_motion.md')
    parser.add_argument('--save-ann', help='also write the generated annotations (JSON) here')
    args = parser.parse_args(argv)

    import mmcv

    from mmlsts.evaluation import motion_iou, motion_table, vid_eval_motion
    from mmlsts.utils import atomic_write, markdown_table

    rng = np.random.default_rng(args.seed)
    ann = make_annotations(rng, video_lengths(rng, args.videos, args.frames),
                           args.boxes_per_frame, args.classes)
    results = make_results(rng, ann, args.dets_per_frame, args.classes)
    if args.save_ann:
        mmcv.dump(ann, args.save_ann)
    num_dets = sum(len(a) for frame in results['det_bboxes'] for a in frame)
    timer, cpu = mmcv.Timer(), time.process_time()
    motion_iou(ann)
    t_miou, c_miou = timer.since_last_check(), time.process_time() - cpu
    cpu = time.process_time()
    scores = vid_eval_motion(results, ann)
    t_eval, c_eval = timer.since_last_check(), time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(motion_table(scores))

    threads = os.environ.get('OMP_NUM_THREADS', 'unset')
    shown = sys.argv[1:] if argv is None else argv
    table = markdown_table(
        ['videos', 'frames', 'GT boxes', 'detections', 'motion IoU: wall / CPU (s)',
         'motion IoU + evaluation: wall / CPU (s)', 'peak RSS incl. the generated set (MB)'],
        [[len(ann['videos']), len(ann['images']), len(ann['annotations']), num_dets,
          f'{t_miou:.1f} / {c_miou:.1f}', f'{t_eval:.1f} / {c_eval:.1f}', f'{peak_mb:.0f}']])
    shares = markdown_table(
        ['group', 'GT share', 'mAP'],
        [[g, f'{scores[f"motion_gt_share_{g}"]:.3f}', f'{scores[f"motion_mAP_{g}"]:.3f}']
         for g in ('all', 'slow', 'medium', 'fast')])
    text = (f'{table}\nGenerated set (seed {args.seed}):\n\n{shares}\n'
            f'OMP_NUM_THREADS={threads}. Command: '
            f'`python tools/analysis/benchmark_motion.py {" ".join(shown)}`\n')
    atomic_write(args.out, text)
    print(text)
    print(f'[benchmark_motion] wrote {osp.abspath(args.out)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
