"""The lab's configs change the product's tiny LSTS only where their comments say."""
import os.path as osp

import pytest
from mmcv import Config

from tests.test_configs_inherit import flat  # the product's config flattener

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(osp.dirname(LAB))


def _diff(a: Config, b: Config) -> dict:
    fa, fb = flat(a._cfg_dict.to_dict()), flat(b._cfg_dict.to_dict())
    return {k: (fa.get(k), fb.get(k)) for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)}


def _load(path: str) -> Config:
    return Config.fromfile(path, import_custom_modules=False)


def test_benchmark_lsts_is_the_quickstart_config_with_the_official_initial_scale():
    """Only the new layers' init differs: each conv at 0.01 * sqrt(official fan-in / fan-in
    here), so every layer starts with the official model's gain (docs/method.md)."""
    lab = _load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py'))
    product = _load(osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py'))
    quality = (0.01 * 4, 0.01 * 8 ** 0.5, 0.01 * 2 ** 0.5)  # fan-ins 1024/64, 2304/288, 144/72
    low2high = (0.01 * 4, 0.01 * 8 ** 0.5, 0.01 * 8 ** 0.5)  # 1024/64, 2304/288, 2304/288
    diff = {k: v for k, v in _diff(lab, product).items() if k.startswith('model.')}
    assert diff.keys() == {'model.srfu.lsts.embed_std', 'model.dfa.lsts.embed_std',
                           'model.srfu.quality.init_std', 'model.dfa.quality.init_std',
                           'model.dfa.low2high.init_std'}
    assert diff['model.srfu.lsts.embed_std'] == diff['model.dfa.lsts.embed_std'] == (0.1, None)
    for key, expected in (('model.srfu.quality.init_std', quality),
                          ('model.dfa.quality.init_std', quality),
                          ('model.dfa.low2high.init_std', low2high)):
        assert diff[key][1] is None and diff[key][0] == pytest.approx(expected), key


def test_benchmark_online_lsts_differs_as_the_r101_online_config_does():
    lab = _diff(_load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark_online.py')),
                _load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py')))
    product = _diff(_load(osp.join(REPO, 'configs', 'vid', 'lsts_r101_online.py')),
                    _load(osp.join(REPO, 'configs', 'vid', 'lsts_r101.py')))
    assert set(lab) == set(product) and lab
    assert all(k.startswith(('data.train.', 'data.val.ref_img_sampler',
                             'data.test.ref_img_sampler')) for k in lab)


def test_benchmark_low2high_loss_differs_from_benchmark_lsts_by_the_loss_only():
    """Ours: the benchmark LSTS plus the low2high loss, nothing else."""
    diff = _diff(_load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark_low2high_loss.py')),
                 _load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py')))
    assert diff == {'model.low2high_loss_weight': (1.0, None)}
