"""FGFA's motion-IoU evaluation (mmlsts.evaluation.motion): hand-made cases with known answers,
a plain per-box reference on random sets, and ``--eval bbox motion`` through the test tools."""
import math
import os
import os.path as osp
import pickle
import re
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pytest

from mmlsts.evaluation import (
    MOTION_GROUPS,
    motion_group_shares,
    motion_iou,
    motion_table,
    vid_eval_motion,
)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


# --------------------------------------------------------------------------------------------
# hand-made sets: boxes are inclusive ILSVRC pixels (x1, y1, x2, y2)
# --------------------------------------------------------------------------------------------

def make_set(frames_per_video, boxes, num_classes=2):
    """CocoVID dict; boxes: (video, frame, instance, class index, (x1, y1, x2, y2))."""
    images, offsets = [], []
    for v, n in enumerate(frames_per_video):
        offsets.append(len(images))
        images += [dict(id=offsets[-1] + t + 1, video_id=v + 1, frame_id=t,
                        file_name=f'v{v}/{t:06d}.JPEG') for t in range(n)]
    anns = [dict(id=i + 1, image_id=offsets[v] + t + 1, category_id=c + 1, instance_id=inst,
                 bbox=[x1, y1, x2 - x1, y2 - y1])
            for i, (v, t, inst, c, (x1, y1, x2, y2)) in enumerate(boxes)]
    return dict(videos=[dict(id=v + 1) for v in range(len(frames_per_video))], images=images,
                annotations=anns,
                categories=[dict(id=c + 1, name=f'c{c}') for c in range(num_classes)])


def make_results(ann, dets, num_classes=2):
    """Per-frame, per-class arrays; dets: (image index, class index, (x1, y1, x2, y2), score)."""
    out = [[np.zeros((0, 5), np.float32) for _ in range(num_classes)] for _ in ann['images']]
    for i, c, box, score in dets:
        out[i][c] = np.concatenate([out[i][c], np.array([[*box, score]], np.float32)])
    return out


def perfect(ann, score=1.0):
    index = {im['id']: i for i, im in enumerate(ann['images'])}
    return make_results(ann, [(index[a['image_id']], a['category_id'] - 1,
                               (a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                                a['bbox'][1] + a['bbox'][3]), score)
                              for a in ann['annotations']])


def square(x, y, side=30):
    return (x, y, x + side - 1, y + side - 1)  # side x side pixels in the +1 convention


def three_speeds():
    """One 5-frame video: a box at rest (class 0), one moving 2 px per frame (class 1), one
    moving 10 px per frame (class 0); all 30 x 30."""
    boxes = []
    for t in range(5):
        boxes += [(0, t, 0, 0, square(10, 10)), (0, t, 1, 1, square(100 + 2 * t, 10)),
                  (0, t, 2, 0, square(10 + 10 * t, 100))]
    return make_set([5], boxes)


# --------------------------------------------------------------------------------------------
# motion IoU and groups
# --------------------------------------------------------------------------------------------

def test_motion_iou_of_an_object_at_rest_and_of_moving_ones():
    ann = three_speeds()
    ids, values = motion_iou(ann)
    assert list(ids) == [a['id'] for a in ann['annotations']]
    values = values.reshape(5, 3)
    np.testing.assert_allclose(values[:, 0], 1.0)
    # 10 px a frame: IoU 0.5 one frame away (20 of 30 columns shared), 0.2 two away, 0 beyond
    np.testing.assert_allclose(values[:, 2], [0.175, 0.3, 0.35, 0.3, 0.175])
    # 2 px a frame: IoU (30 - 2d) / (30 + 2d) at d frames
    iou = {d: (30 - 2 * d) / (30 + 2 * d) for d in range(1, 5)}
    np.testing.assert_allclose(values[0, 1], np.mean([iou[1], iou[2], iou[3], iou[4]]))
    np.testing.assert_allclose(values[2, 1], np.mean([iou[1], iou[1], iou[2], iou[2]]))
    shares = motion_group_shares(ann)
    assert [shares[g]['count'] for g in ('all', 'slow', 'medium', 'fast')] == [15, 5, 5, 5]
    assert shares['slow']['share'] == pytest.approx(1 / 3)
    assert shares['fast']['range'] == (0.0, 0.7)


def test_motion_iou_window_gaps_videos_and_inclusive_group_ends():
    # video 0: at rest in 12 frames except frame 10, where it is elsewhere; video 1 reuses
    # instance id 0 (another object) and is annotated only in frames 0 and 5; one box without
    # instance_id
    boxes = [(0, t, 0, 0, square(200, 200) if t == 10 else square(0, 0)) for t in range(12)]
    boxes += [(1, 0, 0, 0, square(0, 0)), (1, 5, 0, 0, square(15, 0))]
    ann = make_set([12, 6], boxes)
    ann['annotations'].append(dict(id=99, image_id=1, category_id=1, bbox=[50, 50, 29, 29]))
    _, values = motion_iou(ann)
    assert values[0] == 0.9  # frames 1..10: nine at IoU 1, frame 10 at 0; 11 is too far
    assert values[1] == pytest.approx(10 / 11)  # frames 0, 2..11
    assert values[10] == 0.0
    assert values[11] == 0.9
    assert values[12] == values[13] == pytest.approx(15 * 30 / (2 * 900 - 15 * 30))
    assert values[14] == 0.0
    shares = motion_group_shares(ann)
    # 0.9 is both slow and medium (both ends inclusive)
    assert shares['slow']['count'] == 11 and shares['medium']['count'] == 2
    assert shares['fast']['count'] == 4
    _, values5 = motion_iou(ann, window=5)
    assert values5[0] == 1.0 and values5[12] == pytest.approx(values[12])


def test_a_one_frame_video_is_fast_and_empty_groups_are_reported_not_zero():
    ann = make_set([1], [(0, 0, 0, 0, square(5, 5))])
    _, values = motion_iou(ann)
    assert values.tolist() == [0.0]
    out = vid_eval_motion(perfect(ann), ann)
    assert out['motion_mAP_fast'] == 1.0 and out['motion_mAP_all'] == 1.0
    assert math.isnan(out['motion_mAP_slow']) and math.isnan(out['motion_mAP_medium'])
    assert out['motion_gt_count_slow'] == 0 and out['motion_gt_share_slow'] == 0.0
    table = motion_table(out)
    assert table.count('n/a (no GT)') == 2
    assert re.search(r'fast .*\| 1 .*\| 1\.000 .*\| 1\.000', table), table


# --------------------------------------------------------------------------------------------
# matching and scoring
# --------------------------------------------------------------------------------------------

def test_perfect_detections_give_one_in_every_populated_group():
    ann = three_speeds()
    out = vid_eval_motion(perfect(ann, score=0.7), ann)
    for group in MOTION_GROUPS:
        assert out[f'motion_mAP_{group}'] == pytest.approx(1.0), group
    # the same through mmdet's plain list and MMTracking's dict
    assert vid_eval_motion({'det_bboxes': perfect(ann)}, ann) == vid_eval_motion(
        perfect(ann), ann)


def test_a_slow_objects_detection_counts_in_slow_not_in_fast():
    ann = three_speeds()  # at rest and fast are class 0, the medium one class 1
    dets = [(t, 0, square(10, 10), 0.9) for t in range(5)]  # only the object at rest
    out = vid_eval_motion(make_results(ann, dets), ann)
    assert out['motion_mAP_slow'] == pytest.approx(1.0)
    assert out['motion_mAP_fast'] == 0.0  # its class-0 objects are all missed
    assert out['motion_mAP_medium'] == 0.0
    assert out['motion_mAP_all'] == pytest.approx((0.5 + 0.0) / 2)  # class 0 half found


# One image with a slow box of class 0 (S0), a slow box of class 1 (S1) and a fast box of
# class 0 (F); a second image has no box. The fast box is detected with score 0.5; one extra
# class-0 detection with score 0.9 matches nothing. Fast AP = 1 / (1 + its FP weight).
FP_SET = make_set([2], [(0, 0, 0, 0, (0, 0, 99, 99)), (0, 0, 1, 1, (0, 200, 99, 299)),
                        (0, 0, 2, 0, (300, 300, 399, 399))])
FP_MOTION = np.array([0.95, 0.95, 0.3])
FAST_HIT = (0, 0, (300, 300, 399, 399), 0.5)


@pytest.mark.parametrize('extra, weight', [
    ((0, 0, (0, 0, 99, 29), 0.9), 0.0),  # IoU 0.3 with S0 (ignored in fast), 0 with F
    ((0, 0, (0, 200, 99, 259), 0.9), 0.0),  # IoU 0.6 with S1: another class counts too
    ((0, 0, (300, 300, 399, 329), 0.9), 1.0),  # IoU 0.3 with F (in the group)
    ((0, 0, (600, 0, 650, 50), 0.9), 2 / 3),  # overlaps nothing: tie, 2 of 3 boxes ignored
    ((1, 0, (300, 300, 399, 399), 0.9), 1 / 3),  # in the image without boxes: fast share
])
def test_false_positive_weights(extra, weight):
    out = vid_eval_motion(make_results(FP_SET, [FAST_HIT, extra]), FP_SET,
                          motion_ious=FP_MOTION)
    assert out['motion_mAP_fast'] == pytest.approx(1 / (1 + weight))
    assert out['motion_gt_share_fast'] == pytest.approx(1 / 3)
    # in "all" nothing is ignored: the extra detection is a whole false positive; class 0 has
    # 2 positives of which F is found second (precision 1/2), class 1 has none found
    assert out['motion_mAP_all'] == pytest.approx((0.5 * 0.5 + 0.0) / 2)


def test_matching_takes_ignored_ground_truth_too():
    # a slow and a fast class-0 box overlapping at IoU 9000 / 11000
    ann = make_set([1], [(0, 0, 0, 0, (0, 0, 99, 99)), (0, 0, 1, 0, (10, 0, 109, 99))])
    motion = np.array([1.0, 0.0])
    one = make_results(ann, [(0, 0, (0, 0, 99, 99), 0.9)])
    out = vid_eval_motion(one, ann, motion_ious=motion)
    # it takes the slow box (IoU 1 > 0.82): in fast it is neither true nor false positive
    assert out['motion_mAP_slow'] == 1.0 and out['motion_mAP_fast'] == 0.0
    two = make_results(ann, [(0, 0, (0, 0, 99, 99), 0.9), (0, 0, (10, 0, 109, 99), 0.8)])
    out = vid_eval_motion(two, ann, motion_ious=motion)
    assert out['motion_mAP_fast'] == 1.0 and out['motion_mAP_all'] == 1.0


def test_small_boxes_get_a_lower_iou_threshold():
    # 10 x 10 box: threshold min(0.5, 100 / 400) = 0.25; a detection at IoU 0.3 is a hit
    ann = make_set([1], [(0, 0, 0, 0, (0, 0, 9, 9))])
    out = vid_eval_motion(make_results(ann, [(0, 0, (0, 0, 9, 2), 0.9)]), ann)
    assert out['motion_mAP_all'] == 1.0
    out = vid_eval_motion(make_results(ann, [(0, 0, (0, 0, 9, 1), 0.9)]), ann)  # IoU 0.2
    assert out['motion_mAP_all'] == 0.0


def test_wrong_results_are_clear_errors():
    ann = three_speeds()
    with pytest.raises(ValueError, match=r'detections for 3 frames.*has 5 frames'):
        vid_eval_motion(perfect(ann)[:3], ann)
    with pytest.raises(ValueError, match=r'frame 0 has 1 class arrays, expected 2'):
        vid_eval_motion([[np.zeros((0, 5))]] * 5, ann)
    with pytest.raises(KeyError, match='det_bboxes'):
        vid_eval_motion({'track_bboxes': []}, ann)
    with pytest.raises(ValueError, match='groups'):
        vid_eval_motion(perfect(ann), ann, groups={'odd': (0.5, 0.2)})


# --------------------------------------------------------------------------------------------
# against a plain per-box implementation of the same rules, on random sets
# --------------------------------------------------------------------------------------------

def _iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
                    - inter)


def _xyxy(a):
    x, y, w, h = a['bbox']
    return (x, y, x + w, y + h)


def reference_motion_iou(ann, window=10):
    frame = {im['id']: (im['video_id'], im['frame_id']) for im in ann['images']}
    out = []
    for a in ann['annotations']:
        v, t = frame[a['image_id']]
        near = [_iou(_xyxy(a), _xyxy(b)) for b in ann['annotations']
                if b['instance_id'] == a['instance_id'] and frame[b['image_id']][0] == v
                and 1 <= abs(frame[b['image_id']][1] - t) <= window]
        out.append(sum(near) / len(near) if near else 0.0)
    return np.array(out)


def reference_eval(results, ann, motion):
    cats = [c['id'] for c in ann['categories']]
    per_image = defaultdict(list)
    for a, m in zip(ann['annotations'], motion):
        per_image[a['image_id']].append((_xyxy(a), cats.index(a['category_id']), m))
    out = {}
    for name, (low, high) in MOTION_GROUPS.items():
        share = np.mean([low <= m <= high for m in motion])
        npos = np.zeros(len(cats))
        rows = []  # (score, class, tp, fp) image by image, each in descending score order
        for i, im in enumerate(ann['images']):
            gts = per_image[im['id']]
            ignored = [not low <= m <= high for _, _, m in gts]
            for (_, c, _), ig in zip(gts, ignored):
                npos[c] += not ig
            dets = [(row[4], c, row[:4]) for c, arr in enumerate(results[i]) for row in arr]
            dets.sort(key=lambda d: -d[0])
            taken = [False] * len(gts)
            for score, c, box in dets:
                ovs = [_iou(box, g) for g, _, _ in gts]
                k_best, ov_best = -1, -1.0
                for k, ((g, gc, _), ov) in enumerate(zip(gts, ovs)):
                    w, h = g[2] - g[0] + 1, g[3] - g[1] + 1
                    thr = min(0.5, w * h / ((w + 10) * (h + 10)))
                    if gc == c and not taken[k] and ov >= thr and ov > ov_best:
                        k_best, ov_best = k, ov
                if k_best >= 0:
                    taken[k_best] = True
                    rows.append((score, c, 0.0 if ignored[k_best] else 1.0, 0.0))
                    continue
                best_ig = max([ov for ov, ig in zip(ovs, ignored) if ig], default=-1.0)
                best_in = max([ov for ov, ig in zip(ovs, ignored) if not ig], default=-1.0)
                if best_in > best_ig:
                    fp = 1.0
                elif best_ig > best_in:
                    fp = 0.0
                else:
                    fp = share if not gts else sum(ignored) / len(gts)
                rows.append((score, c, 0.0, fp))
        rows = [rows[j] for j in sorted(range(len(rows)), key=lambda j: -rows[j][0])]
        aps = []
        for c in range(len(cats)):
            if npos[c] == 0:
                continue
            tp = np.cumsum([r[2] for r in rows if r[1] == c])
            fp = np.cumsum([r[3] for r in rows if r[1] == c])
            rec = np.concatenate([[0.0], tp / npos[c], [1.0]])
            prec = np.concatenate([[0.0], tp / np.maximum(tp + fp, 1e-300), [0.0]])
            for j in range(len(prec) - 2, -1, -1):
                prec[j] = max(prec[j], prec[j + 1])
            steps = np.flatnonzero(rec[1:] != rec[:-1])
            aps.append(float(np.sum((rec[steps + 1] - rec[steps]) * prec[steps + 1])))
        out[name] = np.mean(aps) if aps else math.nan
    return out


def random_set(seed):
    rng = np.random.default_rng(seed)
    frames = [int(n) for n in rng.integers(1, 16, size=4)]
    boxes, inst = [], 0
    for v, n in enumerate(frames):
        for _ in range(int(rng.integers(1, 4))):
            c = int(rng.integers(3))
            xy, side = rng.uniform(0, 200, 2), rng.uniform(8, 80)
            speed = side * 10 ** rng.uniform(-2.5, -0.5)  # still to fast
            for t in range(n):
                if rng.random() < 0.2:
                    continue  # gaps in a track
                x, y = xy + speed * t
                boxes.append((v, t, inst, c, (x, y, x + side, y + side * 0.8)))
            inst += 1
    ann = make_set(frames, boxes, num_classes=3)
    index = {im['id']: i for i, im in enumerate(ann['images'])}
    dets = []
    for a in ann['annotations']:
        if rng.random() < 0.8:
            box = np.array(_xyxy(a), float) + rng.normal(0, 0.05 * a['bbox'][2], 4)
            c = a['category_id'] - 1 if rng.random() < 0.85 else int(rng.integers(3))
            dets.append((index[a['image_id']], c, tuple(box), round(rng.random(), 1)))
    for i in range(len(ann['images'])):
        for _ in range(int(rng.integers(0, 4))):
            x, y = rng.uniform(0, 250, 2)
            dets.append((i, int(rng.integers(3)), (x, y, x + rng.uniform(5, 60),
                                                   y + rng.uniform(5, 60)),
                         round(rng.random(), 1)))  # rounded scores: ties happen
    return ann, make_results(ann, dets, num_classes=3)


@pytest.mark.parametrize('seed', range(8))
def test_agrees_with_a_plain_per_box_implementation(seed):
    ann, results = random_set(seed)
    _, values = motion_iou(ann)
    np.testing.assert_allclose(values, reference_motion_iou(ann), atol=1e-12)
    expected = reference_eval(results, ann, values)
    out = vid_eval_motion(results, ann)
    for name, value in expected.items():
        got = out[f'motion_mAP_{name}']
        assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value), name


# --------------------------------------------------------------------------------------------
# LSTSVIDDataset.evaluate(metric='motion') and the tools
# --------------------------------------------------------------------------------------------

FRAMES = 12


@pytest.fixture(scope='module')
def workspace(make_workspace):
    return make_workspace('motion', seed=5, num_val_videos=2, frames_per_video=FRAMES)


def _val_dataset(workspace):
    from mmcv import Config

    from mmlsts.datasets import LSTSVIDDataset
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py'))
    spec = dict(cfg.data.test, ann_file=str(workspace / cfg.data.test.ann_file),
                img_prefix=str(workspace / cfg.data.test.img_prefix))
    spec.pop('type')
    return LSTSVIDDataset(**spec)


def _gt_results(dataset):
    out = []
    for i in range(len(dataset)):
        info = dataset.get_ann_info(dataset.data_infos[i])
        frame = [np.zeros((0, 5), np.float32) for _ in dataset.CLASSES]
        for box, label in zip(info['bboxes'], info['labels']):
            frame[label] = np.concatenate([frame[label], [[*box, 1.0]]]).astype(np.float32)
        out.append(frame)
    return out


def test_dataset_evaluate_motion_with_both_results_formats(workspace, capsys):
    dataset = _val_dataset(workspace)
    results = _gt_results(dataset)
    shares = motion_group_shares(dataset.ann_file)
    for form in (results, dict(det_bboxes=results)):
        out = dataset.evaluate(form, metric=['bbox', 'motion'])
        assert out['bbox_mAP_50'] == pytest.approx(1.0)
        for group in MOTION_GROUPS:
            assert out[f'motion_gt_count_{group}'] == shares[group]['count']
            if shares[group]['count']:
                assert out[f'motion_mAP_{group}'] == pytest.approx(1.0), group
            else:
                assert math.isnan(out[f'motion_mAP_{group}'])
    assert 'motion group' in capsys.readouterr().out
    only = dataset.evaluate(results, metric='motion')
    assert 'bbox_mAP' not in only and 0 <= only['motion_mAP_all'] <= 1
    with pytest.raises(ValueError, match=rf'detections for 3 frames.*has {2 * FRAMES} frames'):
        dataset.evaluate(results[:3], metric='motion')


def _tool(workspace, *args):
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')
    done = subprocess.run([sys.executable, *args], cwd=workspace, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def _random_checkpoint(config, path):
    """Untrained weights: enough to check that the metric runs through the tools."""
    import torch
    from mmcv import Config
    from mmcv.runner import save_checkpoint
    from mmdet.models import build_detector
    from mmtrack.models import build_model

    import mmlsts  # noqa: F401
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    model = (build_detector(cfg.model.detector) if cfg.get('USE_MMDET', False)
             else build_model(cfg.model))
    save_checkpoint(model, str(path))
    return str(path)


SCORE = re.compile(r"'(motion_mAP_\w+|bbox_mAP_50)': ([0-9.]+(?:e-?[0-9]+)?|nan)")


def _scores(log):
    return {k: float(v) for k, v in SCORE.findall(log)}


def _run_in_process(monkeypatch, capsys, script, *args):
    """A light tool as ``python script args`` in this process (its imports are already paid)."""
    import runpy
    monkeypatch.setattr(sys, 'argv', [script, *args])
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as e:
        assert not e.code, capsys.readouterr()
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.slow
def test_eval_bbox_motion_through_our_tool_the_stock_tool_and_eval_motion(workspace, monkeypatch,
                                                                          capsys):
    import mmtrack
    lsts = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py')
    single = osp.join(REPO, 'configs', 'vid', 'faster_rcnn_tiny_synthetic.py')
    stock = osp.join(osp.dirname(mmtrack.__file__), '.mim', 'tools', 'test.py')
    keys = {'bbox_mAP_50', 'motion_mAP_all', 'motion_mAP_slow', 'motion_mAP_medium',
            'motion_mAP_fast'}
    # MMTracking's own tool in a fresh process: the config's custom_imports registers mmlsts;
    # a USE_MMDET config gives mmdet's per-image results
    log = _tool(workspace, stock, single, '--checkpoint',
                _random_checkpoint(single, workspace / 'single.pth'), '--eval', 'bbox', 'motion')
    assert keys <= set(_scores(log)), log[-2000:]
    assert 'motion group' in log
    # ours, with an LSTS config (MMTracking's {'det_bboxes': ...} results), saving them
    out_pkl = workspace / 'lsts.pkl'
    log = _tool(workspace, osp.join(REPO, 'tools', 'test.py'), lsts, '--checkpoint',
                _random_checkpoint(lsts, workspace / 'lsts.pth'), '--eval', 'bbox', 'motion',
                '--out', str(out_pkl))
    ours = _scores(log)
    assert keys <= set(ours), log[-2000:]
    with open(out_pkl, 'rb') as f:
        assert 'det_bboxes' in pickle.load(f)
    # the saved results again, through tools/analysis/eval_motion.py (in this process)
    monkeypatch.chdir(workspace)
    log = _run_in_process(monkeypatch, capsys, osp.join(REPO, 'tools', 'analysis',
                                                        'eval_motion.py'), lsts, str(out_pkl))
    again = _scores(log)
    for key in keys - {'bbox_mAP_50'}:
        assert again[key] == pytest.approx(ours[key], abs=1e-6) or (
            math.isnan(again[key]) and math.isnan(ours[key])), key
