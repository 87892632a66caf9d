"""Speed of video detectors side by side (LSTS, DFF, FGFA, SELSA, single-frame Faster R-CNN).

    python tools/analysis/benchmark_vid.py configs/vid/lsts_r101.py configs/vid/dff_r101.py \
        configs/vid/fgfa_r101.py configs/vid/selsa_r101.py [--checkpoints A.pth B.pth ...] \
        [--frames 21 | --frames 21 21 6 6] [--warmup N] [--size 600 1000] [--fp16] \
        [--threads 2] [--device cpu|cuda] [--out-dir work_dirs/benchmark] [--no-flops] \
        [--no-isolate] [--cfg-options KEY=VALUE ...]

Every model runs its own test-time procedure on the same random video (batch 1, frames in
order, references fed as its test dataset's sampler gives them), after a warm-up clip, with
data loading excluded. A config path ending in '#detector' (e.g. configs/vid/lsts_r101.py#detector)
benchmarks the plain single-frame detector inside it. Random weights unless --checkpoints
(every init_cfg that would download is disabled). Each config runs in its own process (peak RSS
per method on the CPU). Writes <out-dir>/benchmark_vid.md and .csv and prints the markdown
table and the fps ratios of LSTS to every other method. Details: mmlsts/benchmark/vid.py.
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
    parser.add_argument('--frames', type=int, nargs='+', default=[21],
                        help='timed video length: one value, or one per config (default 21: '
                        'frame 0 + 2 keyframe cycles of 10)')
    parser.add_argument('--warmup', type=int, default=None,
                        help='warm-up clip length (default: one keyframe cycle + 1 for keyframe '
                        'methods, 2 frames for the others)')
    parser.add_argument('--size', type=int, nargs=2, default=[600, 1000], metavar=('H', 'W'),
                        help='input size before padding to a multiple of 16')
    parser.add_argument('--fp16', action='store_true', help='mmcv wrap_fp16_model (for GPUs)')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    parser.add_argument('--no-flops', action='store_true', help='skip the FLOP count')
    parser.add_argument('--no-isolate', action='store_true',
                        help='measure every config in this process (peak RSS then mixes)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the random frames')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='config overrides applied to every config')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = benchmark_configs(
        args.configs, checkpoints=args.checkpoints, frames=args.frames,
        cfg_options=args.cfg_options, isolate=not args.no_isolate, warmup=args.warmup,
        size=tuple(args.size), device=args.device, fp16=args.fp16, threads=args.threads,
        flops=not args.no_flops, seed=args.seed)
    shown = sys.argv[1:] if argv is None else argv
    command = 'python tools/analysis/benchmark_vid.py ' + ' '.join(shown)
    markdown = format_markdown(results) + f'\nCommand: `{command}`\n'
    md_path, csv_path = write_outputs(results, args.out_dir)
    with open(md_path, 'a') as f:
        f.write(f'\nCommand: `{command}`\n')
    print(markdown)
    print(f'[benchmark_vid] wrote {md_path} and {csv_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
