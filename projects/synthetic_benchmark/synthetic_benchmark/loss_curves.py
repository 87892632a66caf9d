"""Training loss by stretch of a run, from mmcv's JSON logs: the numbers behind a budget.

mmcv's text logger writes one record per ``log_config.interval`` iterations (``mode: train``,
the loss averaged over that interval); MMTracking's ``tools/analysis/analyze_logs.py
plot_curve`` draws them. :func:`loss_by_stretch` averages them over equal stretches of the run
(quarters of an epoch by default), so that a table shows where a loss still falls and where it
has flattened, e.g. before and after an lr step.
"""
from __future__ import annotations

import json

__all__ = ['train_records', 'loss_by_stretch']


def train_records(log_json: str) -> list[tuple[int, float]]:
    """(global iteration, loss) of every training record of an mmcv JSON log."""
    records, per_epoch = [], {}
    with open(log_json) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    train = [r for r in lines if r.get('mode') == 'train' and 'loss' in r]
    for r in train:  # iterations per epoch: the largest 'iter' an epoch logged
        per_epoch[r['epoch']] = max(per_epoch.get(r['epoch'], 0), r['iter'])
    if not train:
        raise ValueError(f'{log_json}: no training records (mode "train" with a loss)')
    epoch_length = max(per_epoch.values())
    for r in train:
        records.append(((r['epoch'] - 1) * epoch_length + r['iter'], float(r['loss'])))
    return records


def loss_by_stretch(log_json: str, stretch: int) -> list[tuple[int, float]]:
    """(last iteration of the stretch, mean loss of its records) for each ``stretch``
    iterations of the run."""
    if stretch < 1:
        raise ValueError(f'stretch must be >= 1 iteration, got {stretch}')
    sums: dict[int, list[float]] = {}
    for it, loss in train_records(log_json):
        sums.setdefault((it - 1) // stretch, []).append(loss)
    return [((k + 1) * stretch, sum(v) / len(v)) for k, v in sorted(sums.items())]
