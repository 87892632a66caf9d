"""Per-hardship AP of the synthetic set (synthetic_benchmark/hardships.py, its CLI)."""
import json
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
from synthetic_benchmark.hardships import SUBSETS, hardship_ap50, load_detections

from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid

CLI = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools', 'eval_hardships.py')


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('hard') / 'ILSVRC'
    make_synthetic_vid(str(root), num_train_videos=1, num_val_videos=2, frames_per_video=12,
                       num_det_images=0, seed=3)
    convert_ilsvrc(str(root), str(root / 'annotations'), splits=('val',), progress=False)
    return root


def _detections(root, drop_hard: bool):
    """Ground truth as detections (score 1), optionally none on the hard frames."""
    ann = json.loads((root / 'annotations' / 'imagenet_vid_val.json').read_text())
    info = json.loads((root / 'synthetic_info.json').read_text())
    hard = {(v, f) for frames in info['hardships'].values() for s, v, f in frames if s == 'val'}
    labels = {c['id']: i for i, c in enumerate(ann['categories'])}
    dets = []
    for image in ann['images']:
        per_class = [np.zeros((0, 5), np.float32) for _ in labels]
        is_hard = (image['file_name'].rsplit('/', 1)[0], image['frame_id']) in hard
        if not (drop_hard and is_hard):
            for a in ann['annotations']:
                if a['image_id'] == image['id']:
                    x, y, w, h = a['bbox']
                    box = np.array([[x, y, x + w, y + h, 1.0]], np.float32)
                    c = labels[a['category_id']]
                    per_class[c] = np.concatenate([per_class[c], box])
        dets.append(per_class)
    return dets


def test_perfect_detections_score_one_everywhere(synthetic_root):
    aps = hardship_ap50(_detections(synthetic_root, drop_hard=False), str(synthetic_root))
    assert set(aps) == set(SUBSETS)
    assert aps['all'][1] == 24 and aps['clean'][1] + aps['hard'][1] == 24
    assert all(ap == pytest.approx(1.0) for ap, n in aps.values() if n)


def test_missing_the_hard_frames_shows_in_hard_not_in_clean(synthetic_root, tmp_path):
    dets = _detections(synthetic_root, drop_hard=True)
    aps = hardship_ap50(dets, str(synthetic_root))
    assert aps['clean'][0] == pytest.approx(1.0)
    assert aps['hard'][0] == pytest.approx(0.0) and aps['occlusion'][0] == pytest.approx(0.0)
    assert aps['all'][0] < 1.0
    path = tmp_path / 'results.pkl'
    path.write_bytes(pickle.dumps(dict(det_bboxes=dets)))
    assert len(load_detections(str(path))) == 24


@pytest.mark.slow
def test_the_cli_prints_a_row_per_results_file(synthetic_root, tmp_path):
    path = tmp_path / 'results.pkl'
    path.write_bytes(pickle.dumps(dict(det_bboxes=_detections(synthetic_root, drop_hard=True))))
    out = subprocess.run([sys.executable, CLI,
                          str(synthetic_root), str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert '| results | all (24) | clean (' in out and '| results.pkl | ' in out


def test_wrong_inputs_are_clear_errors(synthetic_root, tmp_path):
    with pytest.raises(ValueError, match='frames of detections'):
        hardship_ap50([[]], str(synthetic_root))
    with pytest.raises(FileNotFoundError, match='synthetic'):
        hardship_ap50([], str(tmp_path))
    bad = tmp_path / 'bad.pkl'
    bad.write_bytes(pickle.dumps(dict(track_bboxes=[])))
    with pytest.raises(ValueError, match='det_bboxes'):
        load_detections(str(bad))
