"""loss_by_stretch: mean loss per stretch of a run, epochs laid end to end."""
import json

import pytest
from synthetic_benchmark.loss_curves import loss_by_stretch, train_records


def _log(tmp_path, records):
    path = tmp_path / 'run.log.json'
    lines = [json.dumps(dict(env_info='...', seed=0))]
    lines += [json.dumps(dict(mode='val', epoch=1, iter=40, bbox_mAP_50=0.5))]
    lines += [json.dumps(dict(mode='train', epoch=e, iter=i, lr=0.02, loss=loss))
              for e, i, loss in records]
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_stretches_average_the_records_across_epochs(tmp_path):
    # 2 epochs of 40 iterations, a record every 10: losses 1..8
    log = _log(tmp_path, [(e, i, 4 * (e - 1) + i / 10) for e in (1, 2) for i in (10, 20, 30, 40)])
    assert [it for it, _ in train_records(log)] == [10, 20, 30, 40, 50, 60, 70, 80]
    assert loss_by_stretch(log, 20) == [(20, 1.5), (40, 3.5), (60, 5.5), (80, 7.5)]
    assert loss_by_stretch(log, 40) == [(40, 2.5), (80, 6.5)]


def test_errors_name_the_problem(tmp_path):
    log = _log(tmp_path, [])
    with pytest.raises(ValueError, match='no training records'):
        train_records(log)
    with pytest.raises(ValueError, match='stretch must be >= 1'):
        loss_by_stretch(_log(tmp_path, [(1, 10, 1.0)]), 0)
