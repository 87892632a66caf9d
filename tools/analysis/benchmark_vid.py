"""Speed of video detectors side by side (LSTS, DFF, FGFA, SELSA, single-frame Faster R-CNN).

    python tools/analysis/benchmark_vid.py configs/vid/lsts_r101.py configs/vid/dff_r101.py \
        configs/vid/fgfa_r101.py configs/vid/selsa_r101.py configs/vid/lsts_r101.py#detector \
        [--checkpoints A.pth B.pth ...] [--frames 21] [--size 600 1000] [--fp16] [--threads 2] \
        [--device cpu|cuda] [--out-dir work_dirs/benchmark] [--no-flops] [--cfg-options K=V ...]

Every config runs its own test pipeline and test procedure on the same synthetic video (batch 1,
frames in order, after a warm-up), one after the other in this process. A config path ending in
'#detector' (e.g. configs/vid/lsts_r101.py#detector) benchmarks the plain single-frame detector
inside it. Random weights unless --checkpoints (every init_cfg that would download is disabled).
Writes <out-dir>/benchmark_vid.md and .csv and prints the markdown.

Each config is fed as ``tools/test.py`` feeds it: a synthetic video (textured JPEGs at the given
size and a CocoVID file, in a temporary folder) becomes its ``data.test``, built with
``build_dataset`` / ``build_dataloader`` (batch 1, in order, no workers), so its own test pipeline
makes the inputs and metas and its own ``ref_img_sampler`` the references (LSTS 'middle' its
segment keyframe, FGFA and SELSA theirs, DFF none). A frame is ``scatter`` then
``model(return_loss=False, rescale=True, **data)``, timed between ``torch.cuda.synchronize``
calls as in MMTracking's ``tools/analysis/benchmark.py``. ``USE_MMDET`` configs and
``config.py#detector`` (the detector inside a video config, on its pipeline) take mmdet's path.
A warm-up pass over the first frames (a keyframe cycle + 1, else 2) counts FLOPs, then the timed
pass runs the whole video. Frame 0 is reported alone (FGFA and SELSA extract all their refs
there); fps, median and keyframe / non-keyframe means (keyframes: :mod:`mmlsts.keyframes`, from
the config) are over frames 1..N-1. Peak memory: CUDA only.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import io
import itertools
import logging
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field

import cv2
import mmcv
import numpy as np
import torch
from mmcv import DictAction
from mmcv.parallel import scatter_kwargs
from mmcv.runner import load_checkpoint, wrap_fp16_model
from mmdet.datasets import DATASETS, build_dataset
from mmdet.datasets import build_dataloader as build_image_loader
from mmdet.models import build_detector
from mmtrack.datasets import build_dataloader as build_video_loader
from mmtrack.models import build_model
from torch.utils.flop_counter import FlopCounterMode

from mmlsts.apis import disable_pretrained
from mmlsts.keyframes import keyframe_schedule
from mmlsts.utils import atomic_write, markdown_table

DETECTOR_SUFFIX = '#detector'
COLUMNS = ['method', 'config', 'test procedure', 'params (M)', 'GFLOPs/frame', 'fps',
           'ms/frame median', 'ms keyframe mean', 'ms non-keyframe mean', 'ms first frame',
           'timed frames', 'peak mem (MB)', 'fps / LSTS fps']


@dataclass
class BenchResult:
    """One config's measurements; per timed frame: kind, ms, references, metas' frame_id."""
    method: str
    config: str
    procedure: str
    params_m: float
    kinds: list[str]
    times_ms: list[float]
    num_refs: list[int]
    frame_ids: list[int | None]
    pad_shape: tuple[int, int]
    gflops: float | None = None       # mean over the warm-up pass's frames 1..W-1
    peak_mem_mb: float | None = None  # CUDA only
    is_lsts: bool = False
    outputs: list = field(default_factory=list, repr=False)  # only with keep_outputs

    def times(self, kind: str | None = None) -> list[float]:
        """Times of frames 1..N-1, all or of one kind."""
        return [t for t, k in zip(self.times_ms, self.kinds)
                if k != 'first' and (kind is None or k == kind)]

    @property
    def fps(self) -> float:
        return 1000.0 * len(self.times()) / sum(self.times())

    def mean(self, kind: str) -> float | None:
        return statistics.fmean(self.times(kind)) if self.times(kind) else None


def write_video(folder: str, num_frames: int, size: tuple[int, int], classes: tuple[str, ...],
                seed: int = 0) -> str:
    """A textured synthetic video (JPEGs) and its CocoVID file in ``folder``; returns the file."""
    (height, width), rng, images = size, np.random.default_rng(seed), []
    for i in range(num_frames):
        coarse = rng.uniform(0, 255, (height // 16 + 1, width // 16 + 1, 3)).astype(np.float32)
        img = cv2.resize(coarse, (width, height)) + rng.normal(0, 20, (height, width, 3))
        name = f'benchmark/{i:06d}.JPEG'
        mmcv.imwrite(np.clip(img, 0, 255).astype(np.uint8), osp.join(folder, name))
        images.append(dict(id=i + 1, video_id=1, frame_id=i, file_name=name, height=height,
                           width=width, is_vid_train_frame=False))
    mmcv.dump(dict(categories=[dict(id=i + 1, name=c) for i, c in enumerate(classes)],
                   videos=[dict(id=1, name='benchmark')], images=images, annotations=[]),
              osp.join(folder, 'benchmark.json'))
    return osp.join(folder, 'benchmark.json')


def load_config(spec: str, cfg_options: dict | None = None):
    """(cfg, single): ``spec``'s config and whether it takes mmdet's single-frame path."""
    cfg = mmcv.Config.fromfile(spec.removesuffix(DETECTOR_SUFFIX))
    cfg.merge_from_dict(cfg_options or {})
    return cfg, bool(cfg.get('USE_MMDET', False)) or spec.endswith(DETECTOR_SUFFIX)


def build_test_loader(cfg, single: bool, folder: str, num_frames: int, size: tuple[int, int],
                      seed: int = 0):
    """``cfg.data.test``'s dataloader (batch 1, in order) on a synthetic video in ``folder``."""
    test = cfg.data.test
    if not isinstance(test, dict) or DATASETS.get(test.get('type')) is None:
        raise ValueError(f'benchmark_vid: data.test must be one dataset dict of a registered '
                         f'type, got {test!r:.200}')
    test.pop('samples_per_gpu', None)
    test.update(ann_file=write_video(folder, num_frames, size, DATASETS.get(test.type).CLASSES,
                                     seed), img_prefix=folder, test_mode=True)
    build_loader = build_image_loader if single else build_video_loader
    return build_loader(build_dataset(test), samples_per_gpu=1, workers_per_gpu=0, dist=False,
                        shuffle=False)


def build_test_model(cfg, single: bool, checkpoint: str | None = None):
    """The model in eval mode: random weights (no download) or ``checkpoint``'s (a video
    checkpoint's ``detector.`` weights fit a ``#detector`` model)."""
    model_cfg = copy.deepcopy(cfg.model.get('detector', cfg.model) if single else cfg.model)
    disable_pretrained(model_cfg)
    model = (build_detector if single else build_model)(model_cfg)
    model.init_weights()
    if checkpoint:
        revise = [(r'^module\.', '')] + ([(r'^detector\.', '')] if single else [])
        load_checkpoint(model, checkpoint, map_location='cpu', revise_keys=revise)
    return model.eval()


def _describe(cfg, model, single: bool) -> tuple[str, str]:
    """Method label (type + backbone) and its test procedure, from the config."""
    backbone = (cfg.model.detector if 'detector' in cfg.model else cfg.model).get('backbone', {})
    width = backbone.get('base_channels', 64)
    arch = f"R-{backbone.get('depth', '?')}" + (f'/{width}ch' if width != 64 else '')
    if single:
        return f'Faster R-CNN {arch}', 'single frame'
    parts, schedule = [], keyframe_schedule(cfg)
    if schedule:
        parts.append(f"keyframe every {schedule.interval}, position '{schedule.position}'")
    sampler = cfg.data.test.get('ref_img_sampler') or {}
    if str(sampler.get('method', '')).startswith('test_with'):
        stride = ('adaptive stride' if sampler['method'] == 'test_with_adaptive_stride'
                  else f"fixed stride {sampler.get('stride', 1)}")
        parts.append(f"{sampler.get('num_ref_imgs')} refs, {stride}")
    return f'{type(model).__name__} {arch}', ', '.join(parts) or 'as configured'


def _pass(model, loader, single: bool, device: str, stop: int | None = None,
          count_flops: bool = False, keep: bool = False) -> list[dict]:
    """One pass over the video in order (its first ``stop`` frames): per frame what was seen."""
    cuda = device.startswith('cuda')
    target, frames = [torch.device(device).index or 0] if cuda else [-1], []
    sync = torch.cuda.synchronize if cuda else lambda: None
    for data in itertools.islice(loader, stop):
        if single:  # the plain detector takes the frame alone (refs loaded by '#detector')
            data = {k: data[k] for k in ('img', 'img_metas')}
        counter = FlopCounterMode(display=False) if count_flops else None
        with torch.no_grad(), counter or contextlib.nullcontext():
            sync()
            start = time.perf_counter()
            _, kwargs = scatter_kwargs((), data, target)
            out = model(return_loss=False, rescale=True, **kwargs[0])
            sync()
            ms = 1000.0 * (time.perf_counter() - start)
        refs = kwargs[0].get('ref_img')
        frames.append(dict(ms=ms, meta=kwargs[0]['img_metas'][0][0], out=out if keep else None,
                           refs=int(refs[0].shape[1]) if refs else 0,
                           gflops=counter.get_total_flops() / 1e9 if counter else None))
    return frames


def benchmark_config(config: str, checkpoint: str | None = None, frames: int = 21,
                     size: tuple[int, int] = (600, 1000), device: str = 'cpu',
                     fp16: bool = False, threads: int | None = None, flops: bool = True,
                     cfg_options: dict | None = None, seed: int = 0,
                     keep_outputs: bool = False) -> BenchResult:
    """Measure one config in this process (see the module docstring for what is measured)."""
    if frames < 2:
        raise ValueError(f'benchmark_vid: --frames must be >= 2 (frame 0 is reported on its '
                         f'own), got {frames}')
    torch.set_num_threads(threads or torch.get_num_threads())
    logging.getLogger('mmcv').setLevel(logging.ERROR)  # init_weights logs every parameter
    cfg, single, cuda = *load_config(config, cfg_options), device.startswith('cuda')
    model = build_test_model(cfg, single, checkpoint)
    with tempfile.TemporaryDirectory(prefix='benchmark_vid_') as folder:
        loader = build_test_loader(cfg, single, folder, frames, tuple(size), seed)
        method, procedure = _describe(cfg, model, single)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        if fp16:
            wrap_fp16_model(model)
        model.to(device)
        schedule = None if single else keyframe_schedule(cfg)
        warm = _pass(model, loader, single, device, schedule.interval + 1 if schedule else 2,
                     flops)
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        timed = _pass(model, loader, single, device, keep=keep_outputs)
    kinds = ['first'] + [('key' if schedule.is_key_frame(i, frames) else 'non-key') if schedule
                         else 'frame' for i in range(1, frames)]
    return BenchResult(
        method=method, config=config, procedure=procedure, params_m=params, kinds=kinds,
        times_ms=[f['ms'] for f in timed], num_refs=[f['refs'] for f in timed],
        frame_ids=[f['meta'].get('frame_id') for f in timed],
        pad_shape=tuple(timed[0]['meta']['pad_shape'][:2]),
        gflops=statistics.fmean(f['gflops'] for f in warm[1:]) if flops else None,
        peak_mem_mb=torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
        is_lsts=type(model).__name__ == 'LSTS', outputs=[f['out'] for f in timed])


def benchmark_configs(configs: list[str], checkpoints: list[str | None] | None = None,
                      on_result=None, **kwargs) -> list[BenchResult]:
    """Measure configs back to back (same settings); ``on_result(results so far)`` after each."""
    checkpoints = list(checkpoints or [])
    if len(checkpoints) > len(configs):
        raise ValueError(f'benchmark_vid: {len(checkpoints)} checkpoints for {len(configs)} '
                         'configs; give at most one per config, in their order')
    results = []
    for config, checkpoint in itertools.zip_longest(configs, checkpoints):
        results.append(benchmark_config(config, checkpoint, **kwargs))
        on_result and on_result(results)
    return results


def table_rows(results: list[BenchResult]) -> list[list[str]]:
    """The table's cells; the ratios are to the first LSTS row (else the first row)."""
    ref = next((r for r in results if r.is_lsts), results[0])
    rows, fmt = [], lambda v, digits=1: '-' if v is None else f'{v:.{digits}f}'  # noqa: E731
    for r in results:
        keyed = 'key' in r.kinds or 'non-key' in r.kinds
        timed = (f"{r.kinds.count('key')} key + {r.kinds.count('non-key')} non-key" if keyed
                 else str(len(r.times())))
        rows.append([r.method, r.config, r.procedure, fmt(r.params_m), fmt(r.gflops),
                     fmt(r.fps, 3), fmt(statistics.median(r.times())), fmt(r.mean('key')),
                     fmt(r.mean('non-key')), fmt(r.times_ms[0]), timed, fmt(r.peak_mem_mb, 0),
                     fmt(r.fps / ref.fps, 3)])
    return rows


def format_markdown(results: list[BenchResult], device: str = 'cpu', fp16: bool = False,
                    command: str | None = None) -> str:
    """The table with where and how it was measured, and LSTS's speed-up over each method."""
    machine = (torch.cuda.get_device_name(0) if device.startswith('cuda') else
               f'{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads')
    pad = 'x'.join(map(str, results[0].pad_shape))
    lines = [f'Measured {time.strftime("%Y-%m-%d")} on {machine}, torch {torch.__version__}, '
             f'{"fp16" if fp16 else "fp32"}, batch 1, input padded to {pad} by the test '
             'pipeline.', '', markdown_table(COLUMNS, table_rows(results)),
             'fps, median and key/non-key means over frames 1..N-1. Keyframes: the model\'s '
             "`is_key_frame`; LSTS 'middle' runs a keyframe's backbone at the first frame of its "
             "segment (where the dataset loads it), the keyframe's own call only the heads. "
             'GFLOPs: FlopCounterMode (convolutions, matrix products), warm-up frames 1..W-1.', '']
    ref = next((r for r in results if r.is_lsts), None)
    lines += [f'- {ref.method} runs at {ref.fps / r.fps:.2f}x the fps of {r.method} '
              f'({r.config})' for r in results if ref and r is not ref]
    lines += ['', f'Command: `{command}`'] if command else []
    return '\n'.join(lines) + '\n'


def format_csv(results: list[BenchResult]) -> str:
    """The table's cells plus each timed frame's kind, time and number of references."""
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS + ['per-frame kind:ms:refs']] + [
        row + [' '.join(f'{k}:{t:.1f}:{n}' for k, t, n in zip(r.kinds, r.times_ms, r.num_refs))]
        for r, row in zip(results, table_rows(results))])
    return out.getvalue()


def write_outputs(results: list[BenchResult], out_dir: str, **markdown_kwargs) -> tuple[str, str]:
    """Writes ``benchmark_vid.md`` and ``benchmark_vid.csv`` into ``out_dir``; returns both."""
    md_path = atomic_write(osp.join(out_dir, 'benchmark_vid.md'),
                           format_markdown(results, **markdown_kwargs))
    return md_path, atomic_write(osp.join(out_dir, 'benchmark_vid.csv'), format_csv(results))


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
