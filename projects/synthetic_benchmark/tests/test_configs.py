"""The lab's configs change the product's tiny LSTS only where their comments say."""
import os.path as osp

from mmcv import Config

from tests.test_configs_inherit import flat  # the product's config flattener

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(osp.dirname(LAB))


def _diff(a: Config, b: Config) -> dict:
    fa, fb = flat(a._cfg_dict.to_dict()), flat(b._cfg_dict.to_dict())
    return {k: (fa.get(k), fb.get(k)) for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)}


def _load(path: str) -> Config:
    return Config.fromfile(path, import_custom_modules=False)


def test_benchmark_lsts_is_the_quickstart_config_with_sharper_embeddings():
    lab = _load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py'))
    product = _load(osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py'))
    assert _diff(lab, product) == {'model.srfu.lsts.embed_std': (0.1, None),
                                   'model.dfa.lsts.embed_std': (0.1, None)}


def test_benchmark_online_lsts_differs_as_the_r101_online_config_does():
    lab = _diff(_load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark_online.py')),
                _load(osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py')))
    product = _diff(_load(osp.join(REPO, 'configs', 'vid', 'lsts_r101_online.py')),
                    _load(osp.join(REPO, 'configs', 'vid', 'lsts_r101.py')))
    assert set(lab) == set(product) and lab
    assert all(k.startswith(('data.train.', 'data.val.ref_img_sampler',
                             'data.test.ref_img_sampler')) for k in lab)
