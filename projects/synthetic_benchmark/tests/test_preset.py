"""The benchmark set (synthetic_benchmark/preset.py): what it is made to measure."""
import json
import os.path as osp

import numpy as np
import pytest
from synthetic_benchmark.preset import BENCHMARK, PRESETS

from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid
from mmlsts.evaluation.motion import motion_group_shares


def test_presets_name_the_benchmark_and_the_generator_defaults():
    assert PRESETS == {'quickstart': {}, 'benchmark': BENCHMARK}


@pytest.mark.slow
def test_benchmark_preset_statistics(tmp_path):
    """At least 1,000 val frames in 20 videos, a third of them hard in runs with clean
    neighbours, and slow, medium and fast objects each at least 15 % of the val boxes."""
    root = str(tmp_path / 'ILSVRC')
    info = make_synthetic_vid(root, seed=0, **BENCHMARK)
    convert_ilsvrc(root, osp.join(root, 'annotations'), progress=False)
    val = info['val']
    assert val['frames'] >= 1000 and val['videos'] >= 20
    assert info['train']['frames'] >= val['frames']
    hard = {(video, t) for frames in info['hardships'].values()
            for split, video, t in frames if split == 'val'}
    assert len(hard) >= val['frames'] / 3
    runs, gaps = [], []
    for video in {v for v, _ in hard}:  # episodes of <= 6 frames, >= 3 clean frames apart
        frames = sorted(t for v, t in hard if v == video)
        starts = [0] + [i for i in range(1, len(frames)) if frames[i] != frames[i - 1] + 1]
        ends = starts[1:] + [len(frames)]
        runs += [e - b for b, e in zip(starts, ends)]
        gaps += [frames[b] - frames[b - 1] - 1 for b in starts[1:]]
    assert max(runs) <= 6 and np.mean(runs) >= 3 and min(gaps) >= 3, (runs, gaps)
    shares = motion_group_shares(osp.join(root, 'annotations', 'imagenet_vid_val.json'))
    for group in ('slow', 'medium', 'fast'):
        assert shares[group]['share'] >= 0.15, shares
    with open(osp.join(root, 'synthetic_info.json')) as f:
        assert json.load(f)['objects']  # the motion group each object was drawn from
    assert np.isclose(sum(BENCHMARK['motion_mix']), 3.0)
