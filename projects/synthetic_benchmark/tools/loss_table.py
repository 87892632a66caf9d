"""Mean training loss per stretch of each run, side by side, as a markdown table.

    python projects/synthetic_benchmark/tools/loss_table.py NAME=LOG.json [NAME=LOG.json ...]
        [--stretch 348] [--out table.md]

LOG.json: an mmcv JSON training log (``<work_dir>/<timestamp>.log.json``); the default stretch,
348 iterations, is a quarter of the benchmark's video-stage epoch (synthetic_benchmark/
loss_curves.py). For the curves themselves: MMTracking's tools/analysis/analyze_logs.py
plot_curve.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the lab's package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('runs', nargs='+', metavar='NAME=LOG.json')
    parser.add_argument('--stretch', type=int, default=348, help='iterations per row')
    parser.add_argument('--out', help='also write the table here')
    args = parser.parse_args()
    runs = []
    for run in args.runs:
        name, sep, path = run.partition('=')
        if not sep or not osp.isfile(path):
            parser.error(f'expected NAME=LOG.json with an existing log, got {run!r}')
        runs.append((name, path))

    from synthetic_benchmark.loss_curves import loss_by_stretch

    from mmlsts.utils import atomic_write, markdown_table
    columns = [dict(loss_by_stretch(path, args.stretch)) for _, path in runs]
    ends = sorted(set().union(*columns))
    table = markdown_table(['iterations up to', *(name for name, _ in runs)],
                           [[end, *(f'{c[end]:.3f}' if end in c else '' for c in columns)]
                            for end in ends])
    print(table)
    if args.out:
        atomic_write(args.out, table + '\n')


if __name__ == '__main__':
    main()
