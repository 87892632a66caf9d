"""Speed of video detectors side by side (LSTS, DFF, FGFA, SELSA, single-frame Faster R-CNN).

    python tools/analysis/benchmark_vid.py configs/vid/lsts_r101.py configs/vid/dff_r101.py \
        configs/vid/fgfa_r101.py configs/vid/selsa_r101.py configs/vid/lsts_r101.py#detector \
        [--checkpoints A.pth B.pth ...] [--frames 21] [--size 600 1000] [--fp16] [--threads 2] \
        [--device cpu|cuda] [--out-dir work_dirs/benchmark] [--no-flops] [--cfg-options K=V ...]

Every config runs its own test pipeline and test procedure on the same synthetic video (batch 1,
frames in order, after a warm-up), one after the other in this process. A config path ending in
'#detector' (e.g. configs/vid/lsts_r101.py#detector) benchmarks the plain single-frame detector
inside it. Random weights unless --checkpoints (every init_cfg that would download is disabled).
Writes <out-dir>/benchmark_vid.md and .csv and prints the markdown. Details:
mmlsts/benchmark/vid.py.
"""
from __future__ import annotations

import argparse
import sys

from mmcv import DictAction

from mmlsts.benchmark import benchmark_configs, format_markdown, write_outputs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+', help='config files (LSTS first or anywhere)')
    parser.add_argument('--checkpoints', nargs='+', default=[],
                        help='checkpoints in the order of the configs (default random weights)')
    parser.add_argument('--frames', type=int, default=21,
                        help='timed video length (default 21: frame 0 + 2 keyframe cycles)')
    parser.add_argument('--size', type=int, nargs=2, default=[600, 1000], metavar=('H', 'W'),
                        help='size of the synthetic frames (the test pipeline resizes them)')
    parser.add_argument('--fp16', action='store_true', help='mmcv wrap_fp16_model (for GPUs)')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    parser.add_argument('--no-flops', action='store_true', help='skip the FLOP count')
    parser.add_argument('--seed', type=int, default=0, help='seed of the synthetic frames')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='config overrides applied to every config')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = 'python tools/analysis/benchmark_vid.py ' + ' '.join(
        sys.argv[1:] if argv is None else argv)
    style = dict(device=args.device, fp16=args.fp16, command=command)

    def write(results):  # after every config: a long run keeps what it has measured
        md_path, csv_path = write_outputs(results, args.out_dir, **style)
        print(f'[benchmark_vid] {results[-1].config}: {results[-1].fps:.3f} fps; wrote '
              f'{md_path} and {csv_path}', flush=True)

    results = benchmark_configs(
        args.configs, checkpoints=args.checkpoints, on_result=write, frames=args.frames,
        size=tuple(args.size), device=args.device, fp16=args.fp16, threads=args.threads,
        flops=not args.no_flops, cfg_options=args.cfg_options, seed=args.seed)
    print(format_markdown(results, **style))
    return 0


if __name__ == '__main__':
    sys.exit(main())
