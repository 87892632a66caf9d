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


@pytest.mark.slow
def test_the_cli_writes_the_feature_fusion_and_variant_tables(make_workspace, tmp_path):
    """tools/diagnose_dfa.py on a saved random tiny LSTS: every table, every variant's row."""
    import subprocess
    import sys

    from mmcv import Config
    from mmcv.runner import save_checkpoint
    from mmtrack.models import build_model

    import mmlsts  # noqa: F401
    workspace = make_workspace('diagnose', seed=2)
    cfg = Config.fromfile(CONFIG)
    cfg.model.detector.init_cfg = None
    model = build_model(cfg.model)
    model.init_weights()
    checkpoint = str(tmp_path / 'random.pth')
    save_checkpoint(model, checkpoint)
    out = tmp_path / 'diagnosis.md'
    done = subprocess.run(
        [sys.executable, osp.join(LAB, 'tools', 'diagnose_dfa.py'), CONFIG, checkpoint,
         '--variants', 'as_trained', 'memory_alone', '--out', str(out),
         '--cfg-options', 'model.detector.init_cfg=None'],
        cwd=workspace, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    assert '| all | 9 |' in text  # the feature table: 9 non-keyframes
    assert '| non-keyframes | frames | w_low2high | w_low2high_std |' in text
    rows = [line for line in text.splitlines() if line.startswith(('| as_trained', '| memory_al'))]
    assert len(rows) == 2 and all(len(r.split('|')) == 6 for r in rows)
    hard_and_clean = [line for line in text.splitlines() if line.startswith(('| clean', '| hard'))]
    assert sum(int(line.split('|')[2]) for line in hard_and_clean) == 9
