"""The official LSTS recipe as the default (issue: official recipe and calibrated benchmark).

Official init of the new layers, the pre-ReLU low-level feature, the causal triples of the online
configs, the Gaussian-offset config, and the statistics of the synthetic benchmark preset.
"""
import json
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmcv import Config
from mmtrack.models import build_model
from torch import nn

from mmlsts.datasets.lsts_vid_dataset import lsts_triple_frames
from mmlsts.ops import DFA, SRFU, Low2High, QualityNet

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
VID = osp.join(REPO, 'configs', 'vid')


def _convs(module: nn.Module) -> list[nn.Conv2d]:
    return [m for m in module.modules() if isinstance(m, nn.Conv2d)]


@pytest.mark.parametrize('make', [lambda **k: QualityNet(256, **k),
                                  lambda **k: Low2High(256, 128, 64, **k)])
def test_quality_and_low2high_start_from_the_official_init(make):
    torch.manual_seed(0)
    for conv in _convs(make()):
        assert conv.weight.std().item() == pytest.approx(0.01, rel=0.25)
        assert conv.weight.mean().abs().item() < 0.002
        assert torch.count_nonzero(conv.bias) == 0
    old = _convs(make(init_std=None))  # PyTorch's default: kaiming-uniform, non-zero bias
    assert any(torch.count_nonzero(c.bias) for c in old)
    assert any(abs(c.weight.std().item() - 0.01) > 0.005 for c in old)
    with pytest.raises(ValueError, match='init_std'):
        make(init_std=0.0)


def test_fusion_starts_near_half_half():
    torch.manual_seed(0)
    quality = QualityNet(64)
    a, b = torch.randn(1, 64, 12, 16), torch.randn(1, 64, 12, 16)
    _, weights = quality(a, b, return_weights=True)
    assert (weights - 0.5).abs().max() < 0.01


def test_every_new_conv_of_the_r50_model_has_the_official_init():
    cfg = Config.fromfile(osp.join(VID, 'lsts_r50.py'))
    cfg.model.detector.backbone.init_cfg = None
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.init_weights()
    named = {'srfu.quality': model.srfu.quality, 'dfa.quality': model.dfa.quality,
             'dfa.low2high': model.dfa.low2high, 'srfu.lsts': model.srfu.lsts,
             'dfa.lsts': model.dfa.lsts}
    for name, module in named.items():
        for conv in _convs(module):
            assert conv.weight.std().item() == pytest.approx(0.01, rel=0.25), name
            assert torch.count_nonzero(conv.bias) == 0, name
    assert isinstance(model.srfu, SRFU) and isinstance(model.dfa, DFA)


@pytest.mark.parametrize('pre_relu', [True, False])
def test_low_feature_before_the_relu_and_high_of_low_is_the_backbone(pre_relu):
    cfg = Config.fromfile(osp.join(VID, 'lsts_tiny_synthetic.py'))
    cfg.model.low_pre_relu = pre_relu
    torch.manual_seed(0)
    model = build_model(cfg.model).eval()
    img = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        low = model.extract_low(img)
        high = model.extract_high(low)
        (full,) = model.detector.extract_feat(img)
    assert (low.min() < 0) == pre_relu  # the signed residual sum, or after its ReLU
    torch.testing.assert_close(high, full, rtol=1e-5, atol=1e-6)


def test_low_pre_relu_is_the_default():
    cfg = Config.fromfile(osp.join(VID, 'lsts_tiny_synthetic.py'))
    model = build_model(cfg.model)
    assert model.low_pre_relu  # the default, as the official code


@pytest.mark.parametrize('config', ['lsts_r101_online.py', 'lsts_tiny_synthetic_online.py'])
def test_online_configs_train_on_causal_triples_and_test_at_segment_starts(config):
    cfg = Config.fromfile(osp.join(VID, config))
    assert cfg.model.test_cfg.key_frame_position == 'start'
    for train_set in cfg.data.train:
        sampler = train_set.ref_img_sampler
        assert sampler.method == 'lsts_triple'
        assert tuple(sampler.old_range) == (-15, -11) and tuple(sampler.new_range) == (-10, -1)
    sampler = cfg.data.train[0].ref_img_sampler
    rng = random.Random(0)
    for t in range(60):
        for _ in range(20):
            old, new = lsts_triple_frames(t, 60, tuple(sampler.old_range),
                                          tuple(sampler.new_range), rng)
            assert old <= new <= t  # nothing from the future; the old key first
            assert new < t or t == 0


def test_gaussian_config_builds_with_40_shared_gaussian_offsets():
    cfg = Config.fromfile(osp.join(VID, 'lsts_r101_gaussian.py'))
    cfg.model.detector.backbone.init_cfg = None
    model = build_model(cfg.model)
    offsets = model.srfu.lsts.sampling_offsets()
    assert tuple(offsets.shape) == (40, 2)
    assert model.dfa.lsts.sampling_offsets() is offsets  # one parameter, as the official code
    assert not torch.equal(offsets, offsets.round())  # drawn from N(0, I), not a grid
    assert 0.6 < offsets.std().item() < 1.4


@pytest.mark.slow
def test_benchmark_preset_statistics(tmp_path):
    """At least 1,000 val frames in 20 videos, a third of them hard in runs with clean
    neighbours, and slow, medium and fast objects each at least 15 % of the val boxes."""
    from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid
    from mmlsts.datasets.synthetic import PRESETS
    from mmlsts.evaluation.motion import motion_group_shares
    root = str(tmp_path / 'ILSVRC')
    info = make_synthetic_vid(root, seed=0, **PRESETS['benchmark'])
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
    assert np.isclose(sum(PRESETS['benchmark']['motion_mix']), 3.0)
