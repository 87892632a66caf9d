"""Training curves from *.log.json: MMTracking's own tools/analysis/analyze_logs.py, headless.

    python tools/analysis/plot_curves.py plot_curve work_dirs/x/*.log.json --keys loss \
        --out curve.png [--keys loss_cls loss_bbox] [--legend ...] [--title ...] [--overwrite]
    python tools/analysis/plot_curves.py plot_curve work_dirs/x/*.log.json \
        --keys bbox_mAP_50 --out map50.png
    python tools/analysis/plot_curves.py cal_train_time work_dirs/x/*.log.json

Every option of MMTracking's tool works (see ``plot_curve --help``). What this adds:

- matplotlib's Agg backend when --out is given (no display needed), and an error instead of an
  invisible window when there is neither --out nor a display;
- clear errors for a missing log or a key that a log does not have (listing the keys it has);
- --out is never replaced unless --overwrite;
- val metrics (keys with 'mAP', plotted per epoch) of a run that evaluated only some epochs
  (our configs evaluate at the end): MMTracking's tool needs the metric at every epoch, so it
  reads copies of the logs where the other epochs hold NaN (no point drawn) for it.
"""
from __future__ import annotations

import json
import os
import os.path as osp
import shutil
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # tools/
from _mmtrack_tool import run_mmtrack_tool  # noqa: E402

TASKS = ('plot_curve', 'cal_train_time')


def _fail(message: str) -> None:
    raise SystemExit(f'plot_curves: error: {message}')


def _split(argv: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Positional arguments of the task, and its options with their values."""
    positional, options, current = [], {}, None
    for arg in argv:
        if arg.startswith('--'):
            current = arg
            options.setdefault(current, [])
        elif current is None:
            positional.append(arg)
        else:
            options[current].append(arg)
    return positional, options


def _read_log(path: str) -> list[dict]:
    lines = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError as err:
                _fail(f'{path} line {number} is not JSON ({err.msg}); give the *.log.json file '
                      'of a run, not the *.log')
    return lines


def _fill_sparse_val(logs: list[tuple[str, list[dict]]], keys: list[str], tmp: str
                     ) -> list[str]:
    """The logs ((path, lines) pairs), where a per-epoch key misses some epochs copied with NaN for
    those epochs."""
    epoch_keys = [k for k in keys if 'mAP' in k]  # analyze_logs.py plots these per epoch
    out = []
    for i, (path, lines) in enumerate(logs):
        last: dict[int, int] = {}  # epoch -> index of its last line
        has: dict[int, set[str]] = {}
        for index, line in enumerate(lines):
            if 'epoch' in line:
                last[line['epoch']] = index
                has.setdefault(line['epoch'], set()).update(line)
        missing = {e: [k for k in epoch_keys if k not in has[e]] for e in last}
        if not any(missing.values()):
            out.append(path)
            continue
        fills = {last[e]: (e, ks) for e, ks in missing.items() if ks}
        copy = osp.join(tmp, f'{i}_{osp.basename(path)}')
        with open(copy, 'w') as f:
            for index, line in enumerate(lines):
                f.write(json.dumps(line) + '\n')
                if index in fills:  # where a real val line would be: after the epoch's last
                    epoch, ks = fills[index]
                    val = {'mode': 'val', 'epoch': epoch, 'iter': line.get('iter', 0)}
                    val.update({k: float('nan') for k in ks})
                    f.write(json.dumps(val) + '\n')
        out.append(copy)
    return out


def main(argv: list[str]) -> None:
    if argv and argv[0] in ('-h', '--help'):
        run_mmtrack_tool('analysis/analyze_logs.py')  # its own usage message
        return
    if not argv or argv[0] not in TASKS:
        _fail(f"the first argument is the task, one of {', '.join(TASKS)} (see --help)")
    task, rest = argv[0], argv[1:]
    overwrite = '--overwrite' in rest
    rest = [a for a in rest if a != '--overwrite']
    if '-h' in rest or '--help' in rest:
        run_mmtrack_tool('analysis/analyze_logs.py')
        return
    logs, options = _split(rest)
    if not logs:
        _fail(f'{task}: give at least one *.log.json')
    for path in logs:
        if not osp.isfile(path):
            _fail(f'log {path} does not exist')
        if not path.endswith('.json'):
            _fail(f'log {path} is not a .json log (use the *.log.json next to the *.log)')
    tmp = None
    if task == 'plot_curve':
        out = (options.get('--out') or [None])[0]
        keys = options.get('--keys') or ['bbox_mAP']  # the tool's default
        if out is None:
            if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
                _fail('no display to show the figure: give --out FILE.png')
        else:
            if osp.isdir(out):
                _fail(f'--out {out} is a folder; give an image file')
            if osp.exists(out) and not overwrite:
                _fail(f'--out {out} exists; pass --overwrite to replace it')
            os.environ['MPLBACKEND'] = 'Agg'
            if osp.dirname(out):
                os.makedirs(osp.dirname(out), exist_ok=True)
        contents = [(path, _read_log(path)) for path in logs]
        for path, lines in contents:
            found = set().union(*(line.keys() for line in lines if 'epoch' in line))
            found -= {'epoch', 'mode'}
            absent = [k for k in keys if k not in found]
            if absent:
                _fail(f'{path} has no {absent} (keys it has: {sorted(found)})')
        tmp = tempfile.mkdtemp(prefix='plot_curves_')
        read = _fill_sparse_val(contents, keys, tmp)
        if read != logs:
            if '--legend' not in options:  # keep the real file names in the legend
                options['--legend'] = [f'{log}_{k}' for log in logs for k in keys]
            logs = read
    args = [task, *logs]
    for option, values in options.items():
        args += [option, *values]
    sys.argv = [sys.argv[0], *args]
    try:
        run_mmtrack_tool('analysis/analyze_logs.py')
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1:])
