"""tools/diagnose_dfa.py's library on a tiny generated set: one record per non-keyframe, read
through a forward hook and DFA.parts, which must reproduce DFA's own output."""
import math
import os.path as osp

import pytest

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py')


@pytest.mark.slow
def test_probe_records_every_non_keyframe_with_its_distance(make_workspace, monkeypatch):
    from mmcv import Config
    from mmdet.utils import build_dp
    from mmtrack.apis import init_model
    from mmtrack.datasets import build_dataloader, build_dataset
    from synthetic_benchmark.dfa_diagnosis import PROBE_KEYS, probe_dfa, probe_table

    import mmlsts  # noqa: F401
    monkeypatch.chdir(make_workspace('probe', seed=2))
    cfg = Config.fromfile(CONFIG)
    cfg.model.detector.init_cfg = None
    model = init_model(cfg, device='cpu')
    dataset = build_dataset(cfg.data.test)
    loader = build_dataloader(dataset, samples_per_gpu=1, workers_per_gpu=0, dist=False,
                              shuffle=False)
    fused = []
    model.dfa.register_forward_hook(lambda dfa, inputs, out: fused.append(out))
    records = probe_dfa(build_dp(model, 'cpu', device_ids=[0]), loader)
    assert len(fused) == len(records) and len(model.dfa._forward_hooks) == 1  # its own: removed
    # One 10-frame val video, keyframe every 10 in the middle: frame 4 is the keyframe.
    assert sorted(r['distance'] for r in records) == [1, 1, 2, 2, 3, 3, 4, 4, 5]
    for r in records:
        for key in PROBE_KEYS:
            assert not math.isnan(r[key]) or key.endswith('_obj'), (key, r)
        assert -1 <= r['cos_fused'] <= 1 and 0 <= r['w_low2high'] <= 1
    assert '| all | 9 |' in probe_table(records)
