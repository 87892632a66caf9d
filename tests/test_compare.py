"""tools/analysis/compare.py's library: one pretrained start, resumable runs, the CSV, the table."""
import csv
import importlib.util
import math
import os
import os.path as osp

import pytest

from mmlsts.benchmark.compare import (
    CSV_COLUMNS,
    METHODS,
    TRIED_FIXES,
    calibration,
    compare,
    project_path,
    read_rows,
    summary_table,
    write_csv,
)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY_SET = dict(num_train_videos=2, num_val_videos=1, frames_per_video=12, num_det_images=2,
                image_size=(64, 80))


def test_the_cli_knows_every_method_and_every_config_exists():
    spec = importlib.util.spec_from_file_location(
        'compare_cli', osp.join(REPO, 'tools', 'analysis', 'compare.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert tuple(cli.METHOD_NAMES) == tuple(METHODS)
    assert tuple(cli.FIX_NAMES) == tuple(TRIED_FIXES) and not set(TRIED_FIXES) & set(METHODS)
    for config, seeds in [*METHODS.values(), *TRIED_FIXES.values()]:
        assert osp.isfile(project_path(config)) and seeds in (1, 3)


@pytest.mark.slow
def test_compare_starts_from_one_detector_writes_the_csv_and_resumes(tmp_path):
    csv_path = str(tmp_path / 'out.csv')
    kwargs = dict(workspace=str(tmp_path), epochs=1, pretrain_epochs=1, data_seed=5,
                  preset='quickstart', seeds=[0], csv_path=csv_path, log=lambda _: None,
                  **TINY_SET)
    # rows of runs this call does not make (another method, another seed) are kept
    other = _rows('selsa', [0.5, 0.6]) + _rows('single_frame', [0.1, 0.7])[1:]
    write_csv(csv_path, other)
    rows = compare(['single_frame', 'lsts'], speed=True, **kwargs)
    assert [(r['method'], r['seed']) for r in rows] == \
        [('single_frame', 0), ('single_frame', 1), ('lsts', 0), ('selsa', 0), ('selsa', 1)]
    assert [r['bbox_mAP_50'] for r in rows if r['seed'] == 1] == [0.7, 0.6]
    # one speed run: each measured method's fps in all its rows, the others' fps untouched
    fps = {r['method']: r['fps'] for r in rows}
    assert fps['single_frame'] > 0 and fps['lsts'] > 0 and fps['selsa'] == 20.0
    assert [r['fps'] for r in rows if r['method'] == 'single_frame'] == [fps['single_frame']] * 2
    rows = [r for r in rows if r['seed'] == 0 and r['method'] != 'selsa']
    pretrained = tmp_path / 'work_dirs' / 'pretrain' / 'seed0' / 'latest.pth'
    for method in ('single_frame', 'lsts'):
        log = (tmp_path / 'work_dirs' / method / 'seed0' / 'train.out').read_text()
        # mmcv logs the file it initialises from (video detectors) or loads (load_from)
        assert str(pretrained) in log, method
    with open(csv_path, newline='') as f:
        assert tuple(next(csv.reader(f))) == CSV_COLUMNS
    written = [r for r in read_rows(csv_path) if r['config'] != 'c.py']
    assert [r['bbox_mAP_50'] for r in written] == pytest.approx([r['bbox_mAP_50'] for r in rows],
                                                                abs=1e-4)
    assert all(r['val_frames'] == 12 for r in written)
    # the evaluation's own numbers, not a parse of stdout: motion groups are in [0, 1] or NaN
    for r in written:
        for key in ('motion_mAP_slow', 'motion_mAP_medium', 'motion_mAP_fast'):
            assert r[key] is None or 0.0 <= r[key] <= 1.0
    stamp = os.path.getmtime(tmp_path / 'work_dirs' / 'lsts' / 'seed0' / 'latest.pth')
    before = open(csv_path).read()
    again = compare(['single_frame', 'lsts'], **kwargs)  # resumed: nothing is trained again
    assert [(r['method'], r['bbox_mAP_50']) for r in again if r['config'] != 'c.py'] == \
        [(r['method'], r['bbox_mAP_50']) for r in rows]
    assert open(csv_path).read() == before
    assert os.path.getmtime(tmp_path / 'work_dirs' / 'lsts' / 'seed0' / 'latest.pth') == stamp


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
