"""Benchmark ``mmlsts.ops.lsts_aggregate`` against a naive materialising LSTS.

    python tools/analysis/benchmark_lsts.py [--channels 512 1024] [--num-offsets 40 81]
        [--size 38 63] [--repeat 5] [--threads 2] [--device cpu|cuda] [--out FILE.md]

For each (C, N), forward and forward+backward, it reports the median time
(``torch.utils.benchmark``) and the peak extra memory of both implementations and their ratios,
as a markdown table. The naive reference is ``mmlsts.ops.reference.lsts_reference_naive``
(grid_sample per offset, an (N, C, H, W) stack). Peak memory: on CUDA
``torch.cuda.max_memory_allocated`` above the inputs; on the CPU the growth of the process's
peak RSS during the first call, each measurement in a fresh subprocess.
"""
from __future__ import annotations

import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys

from mmlsts.utils import atomic_write, markdown_table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--channels', type=int, nargs='+', default=[512, 1024])
    parser.add_argument('--num-offsets', type=int, nargs='+', default=[40, 81])
    parser.add_argument('--size', type=int, nargs=2, default=[38, 63], metavar=('H', 'W'))
    parser.add_argument('--embed', type=int, default=256, help='embedding channels E')
    parser.add_argument('--repeat', type=int, default=5, help='timed calls (median reported)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--impls', nargs='+', default=['mmlsts', 'naive'],
                        choices=['mmlsts', 'naive'])
    parser.add_argument('--out', help='also write the markdown table to this file')
    parser.add_argument('--_one', help=argparse.SUPPRESS)  # internal: one measurement as JSON
    return parser.parse_args(argv)


def _offsets(num: int):
    """Offsets as after training: a 9x9 grid (81) or 40 Gaussian points, made fractional."""
    from mmlsts.ops import init_offsets
    if num == 81:
        base = init_offsets('uniform', offset_range=4)
    else:
        base = init_offsets('gaussian', num_offsets=num, seed=0)
    return base * 0.9 + 0.13


def measure_one(impl: str, chans: int, num: int, backward: bool, size: tuple[int, int],
                embed: int, repeat: int, threads: int, device: str) -> dict:
    """Median time (ms) and peak extra memory (MB) of one implementation in this process."""
    import torch
    from torch.utils.benchmark import Timer
    torch.set_num_threads(threads)
    if impl == 'mmlsts':
        from mmlsts.ops import lsts_aggregate as op
    else:
        from mmlsts.ops.reference import lsts_reference_naive

        def op(*args):
            return lsts_reference_naive(*args)[0]
    height, width = size
    gen = torch.Generator().manual_seed(0)
    tensors = [torch.randn(1, c, height, width, generator=gen) * s
               for c, s in ((chans, 1.0), (embed, 0.1), (embed, 0.1))]
    tensors.append(_offsets(num))
    tensors = [t.to(device).requires_grad_(backward) for t in tensors]

    def call():
        out = op(*tensors)
        if backward:
            out.sum().backward()
        if device.startswith('cuda'):
            torch.cuda.synchronize()

    if device.startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        call()
        peak_mb = (torch.cuda.max_memory_allocated() - base) / 2**20
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        call()
        peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    timer = Timer('call()', globals=dict(call=call), num_threads=threads)
    timer.timeit(1)  # warm-up beyond the first call
    times = [timer.timeit(1).median * 1000 for _ in range(repeat)]
    return dict(ms=statistics.median(times), peak_mb=max(peak_mb, 0.0))


def _measure_in_subprocess(args: argparse.Namespace, job: dict) -> dict:
    # Each measurement runs in a fresh process because the CPU memory number is the growth of
    # the process's peak RSS (ru_maxrss), a high-water mark that never goes down: measured in
    # one process, every implementation after the naive one would report +0 MB. (CUDA's peak
    # can be reset, but one path for both devices keeps the numbers comparable.)
    cmd = [sys.executable, osp.abspath(__file__), '--_one', json.dumps(job),
           '--size', *map(str, args.size), '--embed', str(args.embed), '--repeat',
           str(args.repeat), '--threads', str(args.threads), '--device', args.device]
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f'benchmark subprocess failed for {job}:\n{done.stderr[-2000:]}')
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> list[dict]:
    rows = []
    for chans in args.channels:
        for num in args.num_offsets:
            for backward in (False, True):
                row = dict(C=chans, N=num, pass_='fwd+bwd' if backward else 'fwd')
                for impl in args.impls:
                    res = _measure_in_subprocess(args, dict(impl=impl, chans=chans, num=num,
                                                            backward=backward))
                    row[f'{impl}_ms'], row[f'{impl}_mb'] = res['ms'], res['peak_mb']
                    print(f'  C={chans} N={num} {row["pass_"]} {impl}: {res["ms"]:.1f} ms, '
                          f'+{res["peak_mb"]:.0f} MB', file=sys.stderr, flush=True)
                rows.append(row)
    return rows


def markdown(rows: list[dict], args: argparse.Namespace) -> str:
    height, width = args.size
    both = set(args.impls) == {'mmlsts', 'naive'}
    head = ['C', 'N', 'pass'] + [f'{i} {k}' for i in args.impls for k in ('ms', 'peak MB')]
    if both:
        head += ['time naive/ours', 'memory ours/naive']
    cells = []
    for row in rows:
        line = [row['C'], row['N'], row['pass_']]
        for impl in args.impls:
            line += [f"{row[f'{impl}_ms']:.1f}", f"{row[f'{impl}_mb']:.0f}"]
        if both:
            line += [f"{row['naive_ms'] / row['mmlsts_ms']:.1f}x",
                     f"{row['mmlsts_mb'] / max(row['naive_mb'], 1e-9):.3f}"]
        cells.append(line)
    return (f'LSTS op, {height}x{width}, E={args.embed}, batch 1, {args.device}, '
            f'{args.threads} threads, median of {args.repeat}\n\n' + markdown_table(head, cells))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args._one:
        job = json.loads(args._one)
        res = measure_one(job['impl'], job['chans'], job['num'], job['backward'],
                          tuple(args.size), args.embed, args.repeat, args.threads, args.device)
        print(json.dumps(res))
        return
    table = markdown(run(args), args)
    print(table)
    if args.out:
        atomic_write(args.out, table)


if __name__ == '__main__':
    main()
