"""What DFA does to each non-keyframe's feature, and which part of it the head needs.

    python projects/synthetic_benchmark/tools/diagnose_dfa.py CONFIG CHECKPOINT [--frames N]
        [--variants as_trained memory_alone ...] [--out diagnosis.md] [--cfg-options ...]

Runs the config's test set through the model's real test procedure and compares, at every
non-keyframe, the propagated memory, low2high's output and the fused feature with the frame's own
high-level feature, by distance to the keyframe, and the fusion's weight on low2high on clean
and hard frames (synthetic_benchmark/dfa_diagnosis.py). With --variants, tests the checkpoint
again with each named test-time variant of DFA (synthetic_benchmark/dfa_variants.py) and gives
AP@0.5 on all, clean and hard val frames. The set's root is read from data.test.ann_file.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the lab's package


def main() -> None:
    from mmcv import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--frames', type=int,
                        help='only the first N test frames in the feature tables')
    parser.add_argument('--variants', nargs='*', metavar='NAME',
                        help='test-time DFA variants to test (no names: all of them)')
    parser.add_argument('--out', help='also write the markdown table here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    args = parser.parse_args()
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            parser.error(f'file not found: {path}')

    from mmcv import Config
    from mmdet.utils import build_dp
    from mmtrack.apis import init_model
    from mmtrack.datasets import build_dataloader, build_dataset
    from synthetic_benchmark.dfa_diagnosis import (
        fusion_table,
        probe_dfa,
        probe_table,
        variant_rows,
    )
    from synthetic_benchmark.dfa_variants import VARIANTS
    from synthetic_benchmark.hardships import val_subsets

    import mmlsts  # noqa: F401
    from mmlsts.models.vid.lsts import LSTS
    from mmlsts.utils import atomic_write, markdown_table
    variants = list(VARIANTS) if args.variants == [] else args.variants or []
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f'unknown variants {unknown}; choose from {", ".join(VARIANTS)}')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    root = osp.dirname(osp.dirname(cfg.data.test.ann_file))
    model = init_model(cfg, args.checkpoint, device='cpu')
    if not isinstance(model, LSTS):
        parser.error(f'{args.config} is not an LSTS config ({type(model).__name__})')
    dataset = build_dataset(cfg.data.test)
    loader = build_dataloader(dataset, samples_per_gpu=1, workers_per_gpu=0, dist=False,
                              shuffle=False)
    records = probe_dfa(build_dp(model, 'cpu', device_ids=[0]), loader, args.frames)
    table = (probe_table(records) + '\n' + fusion_table(records, val_subsets(root)[1]))
    if variants:
        rows = variant_rows(args.config, args.checkpoint, variants, root, args.cfg_options)
        table += '\n' + markdown_table(['DFA at test time', 'AP@0.5 all', 'clean', 'hard'], rows)
    print(table)
    if args.out:
        atomic_write(args.out, table)


if __name__ == '__main__':
    main()
