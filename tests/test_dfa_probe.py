"""tools/analysis/probe_dfa.py's library on a tiny generated set: one record per non-keyframe."""
import math
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic_pretrained.py')


@pytest.mark.slow
def test_probe_records_every_non_keyframe_with_its_distance(make_workspace, monkeypatch):
    from mmcv import Config
    from mmdet.utils import build_dp
    from mmtrack.apis import init_model
    from mmtrack.datasets import build_dataloader, build_dataset

    import mmlsts  # noqa: F401
    from mmlsts.benchmark.dfa_probe import PROBE_KEYS, probe_dfa, probe_table
    monkeypatch.chdir(make_workspace('probe', seed=2))
    cfg = Config.fromfile(CONFIG)
    cfg.model.detector.init_cfg = None
    model = init_model(cfg, device='cpu')
    dataset = build_dataset(cfg.data.test)
    loader = build_dataloader(dataset, samples_per_gpu=1, workers_per_gpu=0, dist=False,
                              shuffle=False)
    records = probe_dfa(build_dp(model, 'cpu', device_ids=[0]), loader)
    # One 10-frame val video, keyframe every 10 in the middle: frame 5 is the keyframe.
    assert sorted(r['distance'] for r in records) == [1, 1, 2, 2, 3, 3, 4, 4, 5]
    for r in records:
        for key in PROBE_KEYS:
            assert not math.isnan(r[key]) or key.endswith('_obj'), (key, r)
        assert -1 <= r['cos_fused'] <= 1 and 0 <= r['w_low2high'] <= 1
    assert '| all | 9 |' in probe_table(records)
