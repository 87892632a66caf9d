"""The official LSTS recipe as the default (issue: official recipe and calibrated benchmark).

Official init of the new layers, the pre-ReLU low-level feature, the causal triples of the online
configs, the Gaussian-offset config, and the statistics of the synthetic benchmark preset.
"""
import os.path as osp
import random

import pytest
import torch
from mmcv import Config
from mmtrack.models import build_model
from torch import nn

from mmlsts.keyframes import lsts_triple_frames
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
    for bad in (0.0, None):
        with pytest.raises((ValueError, TypeError), match='init_std|not supported'):
            make(init_std=bad)


@pytest.mark.parametrize('make', [lambda **k: QualityNet(256, **k),
                                  lambda **k: Low2High(256, 128, 64, **k)])
def test_new_layers_take_one_init_std_per_conv(make):
    torch.manual_seed(0)
    stds = (0.04, 0.02, 0.01)
    for conv, std in zip(_convs(make(init_std=stds)), stds):
        assert conv.weight.std().item() == pytest.approx(std, rel=0.25)
        assert torch.count_nonzero(conv.bias) == 0
    with pytest.raises(ValueError, match=r'one per conv \(3\), got 2'):
        make(init_std=(0.04, 0.02))
    with pytest.raises(ValueError, match='init_std must be > 0'):
        make(init_std=(0.04, 0.0, 0.01))


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


def test_low_feature_before_the_relu_and_high_of_low_is_the_backbone():
    cfg = Config.fromfile(osp.join(VID, 'lsts_tiny_synthetic.py'))
    torch.manual_seed(0)
    model = build_model(cfg.model).eval()
    img = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        low = model.extract_low(img)
        high = model.extract_high(low)
        (full,) = model.detector.extract_feat(img)
    assert low.min() < 0  # the signed residual sum, before the last low block's ReLU
    torch.testing.assert_close(high, full, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('config', [
    osp.join(VID, 'lsts_r101_online.py'),
    osp.join(REPO, 'projects', 'synthetic_benchmark', 'configs', 'lsts_tiny_benchmark_online.py')])
def test_online_configs_train_on_causal_triples_and_test_at_segment_starts(config):
    cfg = Config.fromfile(config)
    for split in ('val', 'test'):
        sampler = cfg.data[split].ref_img_sampler
        assert (sampler.method, sampler.key_frame_position) == ('lsts_keyframe', 'start')
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
