"""What DFA does to each non-keyframe's feature: a table by distance to the keyframe.

    python projects/synthetic_benchmark/tools/diagnose_dfa.py CONFIG CHECKPOINT [--frames N]
        [--out probe.md] [--cfg-options ...]

Runs the config's test set through the model's real test procedure and compares, at every
non-keyframe, the propagated memory, low2high's output and the fused feature with the frame's own
high-level feature (synthetic_benchmark/dfa_diagnosis.py).
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
    parser.add_argument('--frames', type=int, help='only the first N test frames')
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
    from synthetic_benchmark.dfa_diagnosis import probe_dfa, probe_table

    import mmlsts  # noqa: F401
    from mmlsts.models.vid.lsts import LSTS
    from mmlsts.utils import atomic_write
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg, args.checkpoint, device='cpu')
    if not isinstance(model, LSTS):
        parser.error(f'{args.config} is not an LSTS config ({type(model).__name__})')
    dataset = build_dataset(cfg.data.test)
    loader = build_dataloader(dataset, samples_per_gpu=1, workers_per_gpu=0, dist=False,
                              shuffle=False)
    records = probe_dfa(build_dp(model, 'cpu', device_ids=[0]), loader, args.frames)
    table = probe_table(records)
    print(table)
    if args.out:
        atomic_write(args.out, table)


if __name__ == '__main__':
    main()
