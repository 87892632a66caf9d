"""Train and test every VID method's tiny config side by side on the synthetic benchmark.

    python projects/synthetic_benchmark/tools/compare.py \
        [single_frame lsts lsts_online selsa dff fgfa] [--preset benchmark] [--data-seed 0]
        [--epochs 4] [--pretrain-epochs 12] [--seeds 0 1 2] [--jobs 2] [--threads 1] [--speed]
        [--workspace work_dirs/compare] [--md work_dirs/compare/synthetic_vid.md]
        [--csv projects/synthetic_benchmark/results/synthetic_vid.csv]

Resumable: finished runs are kept and skipped (synthetic_benchmark/compare.py). Prints the
summary table and whether the benchmark is calibrated (SELSA ahead of the single frame).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the lab's package

from synthetic_benchmark.compare import METHODS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('methods', nargs='*', default=list(METHODS),
                        help=f'any of {", ".join(METHODS)} (default: all)')
    parser.add_argument('--preset', default='benchmark', choices=('benchmark', 'quickstart'))
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--epochs', type=int, default=4,
                        help='epochs of every method, from the pretrained detector (official: 4)')
    parser.add_argument('--pretrain-epochs', type=int, default=12,
                        help='epochs of the single-frame detector every method starts from')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='only these seeds (default: 3 per method, 1 for DFF and FGFA)')
    parser.add_argument('--jobs', type=int, default=1, help='runs at a time')
    parser.add_argument('--threads', type=int, default=1, help='torch threads per run')
    parser.add_argument('--speed', action='store_true',
                        help="then measure every method's seed-0 model's fps side by side "
                        '(nothing else should run) into the fps column')
    parser.add_argument('--workspace', default='work_dirs/compare',
                        help='holds data/synthetic_vid/ILSVRC and the work dirs')
    parser.add_argument('--csv', help='CSV of every run (default: <workspace>/synthetic_vid.csv)')
    parser.add_argument('--md', help='summary table (default: <workspace>/synthetic_vid.md)')
    args = parser.parse_args()
    bad = sorted(set(args.methods) - set(METHODS))
    if bad:
        parser.error(f'unknown methods {bad}; choose from {", ".join(METHODS)}')
    for name in ('epochs', 'pretrain_epochs', 'jobs', 'threads'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got {getattr(args, name)}')

    from synthetic_benchmark.compare import calibration, compare, summary_table

    from mmlsts.utils import atomic_write
    csv_path = args.csv or osp.join(args.workspace, 'synthetic_vid.csv')
    rows = compare(args.methods, args.workspace, args.epochs, args.pretrain_epochs,
                   args.data_seed, args.preset, args.seeds, args.jobs, args.threads, csv_path,
                   speed=args.speed)
    table = summary_table(rows)
    md_path = args.md or osp.join(args.workspace, 'synthetic_vid.md')
    atomic_write(md_path, table)
    print(table)
    if {'selsa', 'single_frame'} <= {r['method'] for r in rows}:
        ok, line = calibration(rows)
        print(('calibrated: ' if ok else 'NOT calibrated: ') + line)
    print(f'written to {csv_path} and {md_path}')


if __name__ == '__main__':
    main()
