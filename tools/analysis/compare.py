"""Train every method's tiny config on the synthetic set with one budget; print the mAP table.

    python tools/analysis/compare.py configs/vid/lsts_tiny_synthetic.py [more configs ...]
        [--seeds 0 1 2] [--epochs 12] [--data-seed 0] [--workspace work_dirs/compare]
        [--out work_dirs/compare/compare.md]
        [--pretrain configs/vid/faster_rcnn_tiny_synthetic.py [--pretrain-epochs 12]]

The learning check of the quick-start is this with the LSTS config alone (3 seeds: mean, std).
"""
import argparse
import os
import os.path as osp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--workspace', default='work_dirs/compare',
                        help='holds data/synthetic_vid/ILSVRC and the work dirs')
    parser.add_argument('--out', help='markdown file (default: <workspace>/compare.md)')
    parser.add_argument('--pretrain', metavar='CONFIG',
                        help='single-frame config trained first (per seed); every method starts '
                             'from its detector weights, as real models start from ImageNet')
    parser.add_argument('--pretrain-epochs', type=int,
                        help='epochs of the pretraining (default: --epochs)')
    args = parser.parse_args()
    for config in args.configs + ([args.pretrain] if args.pretrain else []):
        if not osp.isfile(config):
            parser.error(f'config not found: {config}')
    if args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    if args.pretrain_epochs is not None and args.pretrain_epochs < 1:
        parser.error(f'--pretrain-epochs must be >= 1, got {args.pretrain_epochs}')

    from mmlsts.benchmark.compare import compare, markdown
    os.makedirs(args.workspace, exist_ok=True)
    pretrain_epochs = args.pretrain_epochs or args.epochs
    summaries = compare(args.configs, args.seeds, args.epochs, osp.abspath(args.workspace),
                        args.data_seed, pretrain_config=args.pretrain,
                        pretrain_epochs=pretrain_epochs)
    note = (f', all starting from {osp.basename(args.pretrain)} trained {pretrain_epochs} epochs '
            'with the same seed' if args.pretrain else '')
    table = markdown(summaries, args.epochs, args.data_seed, note)
    out = args.out or osp.join(args.workspace, 'compare.md')
    with open(out, 'w') as f:
        f.write(table)
    print(table)
    print(f'written to {out}')


if __name__ == '__main__':
    main()
