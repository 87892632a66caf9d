"""tools/compare.py's library on fake tools: one pretrained start, resumable runs, the CSV."""
import csv
import json
import math
import os.path as osp
import re

import pytest
from mmcv import Config
from synthetic_benchmark import compare as compare_module
from synthetic_benchmark.compare import (
    CSV_COLUMNS,
    METHODS,
    calibration,
    compare,
    project_path,
    read_rows,
    summary_table,
    write_csv,
)

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_every_method_has_a_config_and_a_seed_count():
    assert list(METHODS) == ['single_frame', 'lsts', 'lsts_online', 'lsts_low2high_loss', 'selsa',
                            'dff', 'fgfa']
    for config, seeds in METHODS.values():
        assert osp.isfile(project_path(config)) and seeds in (1, 3)
    # the lab's LSTS configs are the lab's; the baselines are the product's
    assert METHODS['lsts'][0].startswith('projects/synthetic_benchmark/configs/')


class FakeTools:
    """Stands in for tools/train.py, tools/test.py and tools/analysis/benchmark_vid.py: writes
    the files each leaves, with a score that depends on (config, seed) only."""

    def __init__(self):
        self.calls = []

    def __call__(self, tool, args, cwd, log_path, threads):
        self.calls.append((osp.basename(tool), list(args)))
        with open(log_path, 'w') as log:
            log.write(' '.join(args))
        if tool == 'train.py':
            work_dir = args[args.index('--work-dir') + 1]
            with open(osp.join(work_dir, 'latest.pth'), 'wb') as f:
                f.write(b'weights')
        elif tool == 'test.py':
            work_dir = args[args.index('--work-dir') + 1]
            seed = int(re.search(r'seed(\d+)', work_dir).group(1))
            with open(args[args.index('--out') + 1], 'wb') as f:
                f.write(b'detections')
            score = self.score(args[0], seed)
            with open(osp.join(work_dir, 'eval_0.log.json'), 'w') as f:
                json.dump(dict(bbox_mAP_50=score, motion_mAP_slow=score,
                               motion_mAP_medium=score, motion_mAP_fast=math.nan), f)
        else:  # the speed benchmark: one fps per config, in order
            out_dir = args[args.index('--out-dir') + 1]
            configs = args[:args.index('--checkpoints')]
            with open(osp.join(out_dir, 'benchmark_vid.csv'), 'w', newline='') as f:
                writer = csv.writer(f)
                writer.writerow(['method', 'config', 'fps'])
                writer.writerows([['m', c, 10.0 + i] for i, c in enumerate(configs)])

    @staticmethod
    def score(config, seed):
        return round(0.5 + 0.01 * (len(osp.basename(config)) % 7) + 0.001 * seed, 4)

    def runs(self, tool):
        return [args for name, args in self.calls if name == osp.basename(tool)]


@pytest.fixture
def fake_tools(monkeypatch, tmp_path):
    tools = FakeTools()
    monkeypatch.setattr(compare_module, '_run_tool', tools)
    monkeypatch.setattr(compare_module, 'prepare_data',
                        lambda workspace, *a, **k: str(tmp_path / 'data'))
    monkeypatch.setattr(compare_module, 'train_lengths', lambda cfg, workspace: (720, 96))
    monkeypatch.setattr(compare_module, 'load_detections', lambda path: [[]] * 12)
    monkeypatch.setattr(compare_module, 'hardship_ap50', lambda dets, root: {
        'all': (0.8, 12), 'hard': (0.6, 5), 'clean': (0.9, 7)})
    return tools


def test_compare_starts_from_one_detector_writes_the_csv_and_resumes(tmp_path, fake_tools):
    csv_path = str(tmp_path / 'out.csv')
    kwargs = dict(workspace=str(tmp_path), epochs=2, pretrain_epochs=3, data_seed=5,
                  seeds=[0], csv_path=csv_path, log=lambda _: None)
    # rows of runs this call does not make (another method, another seed) are kept
    other = _rows('selsa', [0.5, 0.6]) + _rows('single_frame', [0.1, 0.7])[1:]
    write_csv(csv_path, other)
    rows = compare(['single_frame', 'lsts'], speed=True, **kwargs)
    assert [(r['method'], r['seed']) for r in rows] == \
        [('single_frame', 0), ('single_frame', 1), ('lsts', 0), ('selsa', 0), ('selsa', 1)]
    assert [r['bbox_mAP_50'] for r in rows if r['seed'] == 1] == [0.7, 0.6]
    # one pretraining for the seed, then each method from its checkpoint on the video stage
    trains = fake_tools.runs('train.py')
    assert [osp.basename(a[0]) for a in trains] == [
        'faster_rcnn_tiny_synthetic.py', 'video_stage.py', 'video_stage.py']
    assert 'lr_config.step=[2,2]' in trains[0]  # the pretraining: 12 epochs' steps, scaled
    lsts_stage = Config.fromfile(trains[2][0])
    assert lsts_stage.model.type == 'LSTS'
    # 7 x 96 stills beside 720 frames: 48 % stills, as the official lists' 53,638 / 111,472
    assert lsts_stage.data.train[1].type == 'RepeatDataset' and lsts_stage.data.train[1].times == 7
    # 2 epochs of 1392 iterations, one step at 7/12 (official: 2.333 of 4 epochs)
    assert lsts_stage.lr_config.by_epoch is False and lsts_stage.lr_config.step == [1624]
    pretrained = str(tmp_path / 'work_dirs' / 'pretrain' / 'seed0' / 'latest.pth')
    assert f'load_from={pretrained}' in trains[1]  # mmdet's single-frame path
    assert f'model.detector.init_cfg.checkpoint={pretrained}' in trains[2]  # a video detector
    assert 'total_epochs=3' in trains[0] and 'total_epochs=2' in trains[2]
    # the evaluation's own numbers go into the rows; one speed run fills fps
    by_method = {r['method']: r for r in rows if r['seed'] == 0}
    assert by_method['lsts']['bbox_mAP_50'] == FakeTools.score(METHODS['lsts'][0], 0)
    assert by_method['lsts']['hard_AP50'] == 0.6 and by_method['lsts']['val_frames'] == 12
    (speed,) = fake_tools.runs('analysis/benchmark_vid.py')
    assert speed.count('--checkpoints') == 1 and '--no-flops' in speed
    assert (by_method['single_frame']['fps'], by_method['lsts']['fps']) == (10.0, 11.0)
    assert by_method['selsa']['fps'] == 20.0  # not measured: the earlier value stays
    with open(csv_path, newline='') as f:
        assert tuple(next(csv.reader(f))) == CSV_COLUMNS
    assert [r['bbox_mAP_50'] for r in read_rows(csv_path)] == [r['bbox_mAP_50'] for r in rows]
    # resumed: nothing is trained or tested again, the CSV is unchanged
    before, calls = open(csv_path).read(), len(fake_tools.calls)
    again = compare(['single_frame', 'lsts'], **kwargs)
    assert len(fake_tools.calls) == calls and open(csv_path).read() == before
    assert [(r['method'], r['bbox_mAP_50']) for r in again] == \
        [(r['method'], r['bbox_mAP_50']) for r in rows]
    # another budget is another run: trained and tested again
    compare(['lsts'], **dict(kwargs, epochs=4))
    assert len(fake_tools.runs('train.py')) == 4 and len(fake_tools.runs('test.py')) == 3


def test_a_failed_run_is_reported_and_the_others_are_kept(tmp_path, fake_tools, monkeypatch):
    def failing(tool, args, *rest):
        if tool == 'train.py' and osp.join('lsts', 'seed0') in args[args.index('--work-dir') + 1]:
            raise RuntimeError('train.py failed (exit 1)')
        return fake_tools(tool, args, *rest)

    monkeypatch.setattr(compare_module, '_run_tool', failing)
    logged = []
    rows = compare(['single_frame', 'lsts'], workspace=str(tmp_path), epochs=1,
                   pretrain_epochs=1, seeds=[0], log=logged.append)
    assert [r['method'] for r in rows] == ['single_frame']
    assert any(line.startswith('failed: train.py failed') for line in logged)


def _rows(method, values):
    return [dict(method=method, config='c.py', seed=s, val_frames=10, bbox_mAP_50=v,
                 hard_AP50=v - 0.1, clean_AP50=v + 0.05, motion_mAP_slow=v,
                 motion_mAP_medium=v, motion_mAP_fast=math.nan, fps=20.0, train_s=100.0)
            for s, v in enumerate(values)]


def test_summary_table_and_calibration():
    rows = _rows('single_frame', [0.70, 0.72, 0.71]) + _rows('selsa', [0.76, 0.75, 0.77])
    table = summary_table(rows)
    assert '| single_frame | 3 | 0.710 +- 0.010 |' in table
    assert '| selsa | 3 | 0.760 +- 0.010 |' in table
    ok, line = calibration(rows)
    assert ok and 'gain +0.0500' in line
    close = _rows('single_frame', [0.70, 0.74, 0.72]) + _rows('selsa', [0.73, 0.77, 0.75])
    assert not calibration(close)[0]  # +0.03, but the seeds' std is 0.02
    assert not calibration(_rows('single_frame', [0.7]) + _rows('selsa', [0.72]))[0]


def test_csv_round_trip_and_wrong_columns(tmp_path):
    rows = _rows('lsts', [0.5, 0.6])
    path = str(tmp_path / 'r.csv')
    write_csv(path, rows)
    back = read_rows(path)
    assert [r['bbox_mAP_50'] for r in back] == [0.5, 0.6]
    assert back[0]['motion_mAP_fast'] is None  # NaN (an empty group) stays a gap
    (tmp_path / 'bad.csv').write_text('method,seed\nlsts,0\n')
    with pytest.raises(ValueError, match='columns'):
        read_rows(str(tmp_path / 'bad.csv'))
    with pytest.raises(ValueError, match='unknown methods'):
        compare(['no_such'], workspace=str(tmp_path), epochs=1, pretrain_epochs=1)
