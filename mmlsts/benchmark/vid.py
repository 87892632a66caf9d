"""Test-time speed of video detectors side by side: LSTS, DFF, FGFA, SELSA, single-frame.

Each config's model runs its own test procedure on the same synthetic video (batch 1, frames in
order), fed exactly as its test dataset would feed it: the reference frames come from the
config's own ``data.test.ref_img_sampler``, computed by the dataset class's real
``ref_img_sampling`` on a stand-in video of the benchmark's length (so FGFA gets its 30
references at fixed stride, SELSA its 14 at adaptive stride, LSTS 'middle' its segment keyframe,
DFF none). Inputs are random frames already normalised and padded (data loading excluded).

Per method: a warm-up clip (by default one keyframe cycle, or two frames for methods without
keyframes) also counts FLOPs per call with ``torch.utils.flop_counter.FlopCounterMode``; then a
timed video of ``frames`` frames, every call timed with ``time.perf_counter`` (after
``torch.cuda.synchronize`` on a GPU). The video's first frame is reported on its own (it is
where FGFA and SELSA extract all their references); fps, the median and the keyframe /
non-keyframe means are over frames 1..frames-1, the steady state. A keyframe is a call that ran
the whole backbone for the current frame: LSTS's ``extract_high``, DFF's
``detector.extract_feat``.

Peak memory: on a GPU ``torch.cuda.max_memory_allocated`` over warm-up and timed run; on the CPU
the process's peak RSS (``ru_maxrss``), which is per method only when each method runs in its
own process (``isolate=True``, what the CLI does).
"""
from __future__ import annotations

import copy
import csv
import io
import json
import logging
import os
import os.path as osp
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from mmlsts.datasets.one_video import OneVideoIndex, reference_sampler

__all__ = ['BenchResult', 'benchmark_config', 'benchmark_configs', 'format_markdown',
           'format_csv', 'write_outputs', 'disable_pretrained']

DETECTOR_SUFFIX = '#detector'
DEFAULT_NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
COLUMNS = ['method', 'config', 'test procedure', 'params (M)', 'GFLOPs/frame', 'fps',
           'ms/frame median', 'ms keyframe mean', 'ms non-keyframe mean', 'ms first frame',
           'timed frames', 'peak mem (MB)', 'fps / LSTS fps']

KIND_CODES = {'first': 'F', 'key': 'K', 'non-key': 'N', 'frame': 'S'}


@dataclass
class BenchResult:
    """One config's measurements; times in ms, memory in MB, FLOPs in GFLOPs."""

    method: str
    config: str
    procedure: str
    params_m: float
    kinds: list[str]          # per timed frame: 'first', 'key', 'non-key' or 'frame'
    times_ms: list[float]
    peak_mem_mb: float
    mem_kind: str             # 'CUDA max allocated' | 'process peak RSS'
    gflops: float | None = None
    gflops_key: float | None = None
    gflops_nonkey: float | None = None
    device: str = 'cpu'
    threads: int = 0
    size: tuple[int, int] = (600, 1000)
    padded: tuple[int, int] = (608, 1008)
    fp16: bool = False
    warmup: int = 0
    is_lsts: bool = False
    extra: dict = field(default_factory=dict)

    def _steady(self, kind: str | None = None) -> list[float]:
        return [t for t, k in zip(self.times_ms, self.kinds)
                if k != 'first' and (kind is None or k == kind)]

    @property
    def fps(self) -> float:
        steady = self._steady()
        return 1000.0 * len(steady) / sum(steady)

    @property
    def median_ms(self) -> float:
        return statistics.median(self._steady())

    @property
    def first_ms(self) -> float:
        return self.times_ms[0]

    @property
    def num_key(self) -> int:
        return len(self._steady('key'))

    @property
    def num_nonkey(self) -> int:
        return len(self._steady('non-key'))

    @property
    def key_ms(self) -> float | None:
        times = self._steady('key')
        return statistics.fmean(times) if times else None

    @property
    def nonkey_ms(self) -> float | None:
        times = self._steady('non-key')
        return statistics.fmean(times) if times else None


# Building ------------------------------------------------------------------------------------
def disable_pretrained(node) -> int:
    """Set every ``init_cfg`` / ``pretrained`` that would load weights to None (in place).

    Returns how many were disabled: the benchmark uses random weights and never downloads.
    """
    count = 0
    if isinstance(node, dict):
        for key in list(node.keys()):
            value = node[key]
            if key == 'init_cfg' and _loads_weights(value):
                node[key] = None
                count += 1
            elif key in ('pretrained', 'pretrains') and value:
                node[key] = None
                count += 1
            else:
                count += disable_pretrained(value)
    elif isinstance(node, (list, tuple)):
        count += sum(disable_pretrained(v) for v in node)
    return count


def _loads_weights(init_cfg) -> bool:
    if isinstance(init_cfg, (list, tuple)):
        return any(_loads_weights(c) for c in init_cfg)
    return isinstance(init_cfg, dict) and (init_cfg.get('type') == 'Pretrained'
                                           or 'checkpoint' in init_cfg)


def _load_cfg(spec: str, cfg_options: dict | None = None):
    from mmcv import Config
    path = spec[:-len(DETECTOR_SUFFIX)] if spec.endswith(DETECTOR_SUFFIX) else spec
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def _build_model(spec: str, cfg, checkpoint: str | None):
    """(model, single_frame): the video model, or the plain mmdet detector for USE_MMDET
    configs and for ``config.py#detector`` specs."""
    import mmlsts  # noqa: F401  (registers LSTS and friends, applies the compat fixes)
    single = bool(cfg.get('USE_MMDET', False)) or spec.endswith(DETECTOR_SUFFIX)
    model_cfg = copy.deepcopy(cfg.model.detector if single and 'detector' in cfg.model
                              else cfg.model)
    disable_pretrained(model_cfg)
    if single:
        from mmdet.models import build_detector
        model = build_detector(model_cfg)
    else:
        from mmtrack.models import build_model
        model = build_model(model_cfg)
    model.init_weights()
    if checkpoint:
        from mmcv.runner import load_checkpoint
        load_checkpoint(model, checkpoint, map_location='cpu')
    return model.eval(), single


def _describe(cfg, model, single: bool) -> tuple[str, str]:
    """Method label (type + backbone) and its test procedure, from the config."""
    det = cfg.model.detector if 'detector' in cfg.model else cfg.model
    backbone = det.get('backbone', {})
    depth = backbone.get('depth', '?')
    width = backbone.get('base_channels', 64)
    arch = f'R-{depth}' + (f'/{width}ch' if width != 64 else '')
    if single:
        return f'Faster R-CNN {arch}', 'single frame'
    name = type(model).__name__
    test_cfg = cfg.model.get('test_cfg') or {}
    sampler = cfg.data.test.get('ref_img_sampler')
    parts = []
    if 'key_frame_interval' in test_cfg:
        parts.append(f"keyframe every {test_cfg['key_frame_interval']}")
        if hasattr(model, 'key_frame_position'):
            parts.append(f"position '{model.key_frame_position}'")
    if sampler and str(sampler.get('method', '')).startswith('test_with'):
        rng = sampler.get('frame_range', 0)
        num = rng[1] - rng[0] if isinstance(rng, (list, tuple)) else 2 * rng
        if sampler['method'] == 'test_with_fix_stride':
            parts.append(f"{num} refs, fixed stride {sampler.get('stride', 1)}")
        else:
            parts.append(f'{num} refs, adaptive stride')
    return f'{name} {arch}', ', '.join(parts) or 'as configured'


# Feeding a video -----------------------------------------------------------------------------
class SyntheticVideo:
    """Random normalised frames of one video and each frame's model inputs, as the config's
    test dataset and pipeline would give them (images padded with zeros to a multiple of 16)."""

    def __init__(self, cfg, num_frames: int, size: tuple[int, int], video_id: int, seed: int,
                 device: str, with_refs: bool = True) -> None:
        import torch
        self.height, self.width = size
        self.pad_h, self.pad_w = (-(-s // 16) * 16 for s in size)
        self.video_id, self.num_frames = video_id, num_frames
        gen = torch.Generator().manual_seed(seed)
        self.frames = []
        for _ in range(num_frames):
            img = torch.zeros(1, 3, self.pad_h, self.pad_w)
            img[..., :self.height, :self.width] = torch.randn(
                1, 3, self.height, self.width, generator=gen)
            self.frames.append(img.to(device))
        self.coco = OneVideoIndex(
            num_frames, self.height, self.width, video_id,
            name=lambda i: f'synthetic/{video_id:04d}/{i:06d}.JPEG')
        self.dataset, self.sampler = (
            reference_sampler(cfg, self.coco, 'benchmark_vid') if with_refs else (None, None))
        norm = cfg.get('img_norm_cfg', DEFAULT_NORM)
        self.norm = dict(mean=np.array(norm['mean'], np.float32),
                         std=np.array(norm['std'], np.float32), to_rgb=norm['to_rgb'])

    def meta(self, info: dict) -> dict:
        shape = (self.height, self.width, 3)
        meta = dict(filename=info['file_name'], ori_filename=info['file_name'], ori_shape=shape,
                    img_shape=shape, pad_shape=(self.pad_h, self.pad_w, 3),
                    scale_factor=np.ones(4, np.float32), flip=False, flip_direction=None,
                    img_norm_cfg=self.norm, frame_id=info['frame_id'],
                    video_id=info['video_id'], is_video_data=True)
        for key in ('num_left_ref_imgs', 'frame_stride'):
            if key in info:
                meta[key] = info[key]
        return meta

    def inputs(self, frame_id: int) -> tuple[dict, int]:
        """Keyword arguments of the model's test call for one frame, and the number of refs."""
        import torch
        info = self.coco.info(frame_id)
        refs = []
        if self.dataset is not None:
            infos = self.dataset.ref_img_sampling(info, **self.sampler)
            info, refs = infos[0], infos[1:]
        kwargs = dict(img=[self.frames[frame_id]], img_metas=[[self.meta(info)]],
                      return_loss=False, rescale=True)
        if refs:
            ref = torch.stack([self.frames[r['frame_id']][0] for r in refs])[None]
            kwargs.update(ref_img=[ref], ref_img_metas=[[[self.meta(r) for r in refs]]])
        return kwargs, len(refs)


# Measuring -----------------------------------------------------------------------------------
class _Counter:
    """Counts calls of ``obj.name`` (an instance attribute shadows the method)."""

    def __init__(self, obj, name: str) -> None:
        self.calls = 0
        original = getattr(obj, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        setattr(obj, name, counted)


def _key_counter(model, single: bool) -> _Counter | None:
    """What marks a keyframe: LSTS's high part, or the full detector features of DFF-like
    models (any model whose test_cfg has a key_frame_interval)."""
    if single:
        return None
    if hasattr(model, 'extract_high'):
        return _Counter(model, 'extract_high')
    if 'key_frame_interval' in (getattr(model, 'test_cfg', None) or {}):
        return _Counter(model.detector, 'extract_feat')
    return None


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize()


def _run(model, video: SyntheticVideo, counter: _Counter | None, device: str,
         count_flops: bool) -> tuple[list[float], list[str], list[float | None]]:
    """Runs the whole video in order: per frame (ms, kind, GFLOPs or None)."""
    import torch
    times, kinds, flops = [], [], []
    for frame_id in range(video.num_frames):
        kwargs, _ = video.inputs(frame_id)  # reference sampling and stacking: not timed
        before = counter.calls if counter else 0
        mode = None
        if count_flops:
            from torch.utils.flop_counter import FlopCounterMode
            mode = FlopCounterMode(display=False)
        with torch.no_grad():
            _sync(device)
            start = time.perf_counter()
            if mode is not None:
                with mode:
                    model(**kwargs)
            else:
                model(**kwargs)
            _sync(device)
            times.append(1000.0 * (time.perf_counter() - start))
        flops.append(mode.get_total_flops() / 1e9 if mode is not None else None)
        if frame_id == 0:
            kinds.append('first')
        elif counter is None:
            kinds.append('frame')
        else:
            kinds.append('key' if counter.calls > before else 'non-key')
    return times, kinds, flops


def _current_rss_mb() -> float:
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
    except OSError:
        return float('nan')


def _cpu_seconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    try:
        with open('/proc/stat') as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return float('nan'), own
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf('SC_CLK_TCK'), own


def _load_avg() -> float:
    """1-minute load average: other processes on a shared machine skew CPU timings."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float('nan')


def benchmark_config(config: str, checkpoint: str | None = None, frames: int = 21,
                     warmup: int | None = None, size: tuple[int, int] = (600, 1000),
                     device: str = 'cpu', fp16: bool = False, threads: int | None = None,
                     flops: bool = True, cfg_options: dict | None = None,
                     seed: int = 0) -> BenchResult:
    """Measure one config in this process (see the module docstring for what is measured)."""
    import torch
    if frames < 2:
        raise ValueError(f'benchmark_vid: need at least 2 frames (the first is reported on its '
                         f'own), got {frames}')
    if threads:
        torch.set_num_threads(threads)
    logging.getLogger('mmcv').setLevel(logging.ERROR)  # init_weights logs every parameter
    cfg = _load_cfg(config, cfg_options)
    model, single = _build_model(config, cfg, checkpoint)
    method, procedure = _describe(cfg, model, single)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    if fp16:
        from mmcv.runner import wrap_fp16_model
        wrap_fp16_model(model)
    model.to(device)
    counter = _key_counter(model, single)
    interval = int((getattr(model, 'test_cfg', None) or {}).get('key_frame_interval', 1))
    if warmup is None:
        warmup = interval + 1 if counter is not None else 2
    warmup = max(int(warmup), 2)  # the first frame and at least one steady frame
    clip = SyntheticVideo(cfg, warmup, size, video_id=1, seed=seed + 1, device=device,
                          with_refs=not single)
    video = SyntheticVideo(cfg, frames, size, video_id=0, seed=seed, device=device,
                           with_refs=not single)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    rss_before, load_before = _current_rss_mb(), _load_avg()
    _, warm_kinds, warm_flops = _run(model, clip, counter, device, count_flops=flops)
    busy0, own0, wall0 = *_cpu_seconds(), time.perf_counter()
    times, kinds, _ = _run(model, video, counter, device, count_flops=False)
    busy1, own1, wall1 = *_cpu_seconds(), time.perf_counter()
    # CPU time that other processes took during the timed run, as a share of all cores.
    others = max(0.0, (busy1 - busy0) - (own1 - own0)) / ((wall1 - wall0) * (os.cpu_count() or 1))
    if device.startswith('cuda'):
        peak, mem_kind = torch.cuda.max_memory_allocated() / 2**20, 'CUDA max allocated'
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        mem_kind = 'process peak RSS'
    result = BenchResult(
        method=method, config=config, procedure=procedure, params_m=params, kinds=kinds,
        times_ms=times, peak_mem_mb=peak, mem_kind=mem_kind, device=device,
        threads=torch.get_num_threads(), size=tuple(size), padded=(video.pad_h, video.pad_w),
        fp16=fp16, warmup=warmup, is_lsts=type(model).__name__ == 'LSTS',
        extra=dict(rss_before_run_mb=rss_before, checkpoint=checkpoint or 'random weights',
                   load_avg_before=load_before, load_avg_after=_load_avg(),
                   other_cpu_share=others))
    if flops:
        _fill_flops(result, warm_kinds, warm_flops)
    return result


def _fill_flops(result: BenchResult, kinds: list[str], flops: list[float]) -> None:
    """GFLOPs per steady frame: per-kind means from the warm-up clip, weighted by the timed
    run's mix of kinds (so FLOPs and fps describe the same frames)."""
    per_kind = {}
    for kind in ('key', 'non-key', 'frame'):
        values = [f for f, k in zip(flops, kinds) if k == kind]
        per_kind[kind] = statistics.fmean(values) if values else None
    result.gflops_key, result.gflops_nonkey = per_kind['key'], per_kind['non-key']
    total, count = 0.0, 0
    for kind in result.kinds:
        if kind == 'first':
            continue
        if per_kind.get(kind) is None:  # this kind never ran in the warm-up clip
            return
        total += per_kind[kind]
        count += 1
    result.gflops = total / count
    result.extra['gflops_first'] = flops[0]


# Several configs, tables ---------------------------------------------------------------------
def _child_main() -> None:
    """Entry of one isolated measurement: kwargs JSON in argv[1], result JSON to argv[2]."""
    kwargs = json.loads(sys.argv[1])
    kwargs['size'] = tuple(kwargs['size'])
    result = benchmark_config(**kwargs)
    with open(sys.argv[2], 'w') as f:
        json.dump(asdict(result), f)


def _isolated(kwargs: dict) -> BenchResult:
    env = dict(os.environ)
    if kwargs.get('threads'):
        for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[var] = str(kwargs['threads'])
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'result.json')
        code = 'from mmlsts.benchmark.vid import _child_main; _child_main()'
        proc = subprocess.run([sys.executable, '-c', code, json.dumps(kwargs), out], env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark_vid: measuring {kwargs['config']} failed "
                               f'(exit code {proc.returncode}, see the output above)')
        with open(out) as f:
            data = json.load(f)
    data['size'], data['padded'] = tuple(data['size']), tuple(data['padded'])
    return BenchResult(**data)


def _per_config(value, count: int, what: str) -> list:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(values) == 1:
        values *= count
    if len(values) != count:
        raise ValueError(f'benchmark_vid: give one {what} or one per config ({count}), '
                         f'got {len(values)}')
    return values


def benchmark_configs(configs: list[str], checkpoints: list[str | None] | None = None,
                      frames: int | list[int] = 21, cfg_options: dict | list | None = None,
                      isolate: bool = True, log=print, **kwargs) -> list[BenchResult]:
    """Measure several configs back to back, each in its own process when ``isolate``.

    ``frames`` and ``cfg_options`` take one value for all configs or one per config; other
    keyword arguments go to :func:`benchmark_config`.
    """
    checkpoints = list(checkpoints or [])
    checkpoints += [None] * (len(configs) - len(checkpoints))
    checkpoints = _per_config(checkpoints, len(configs), 'checkpoint')
    frames = _per_config(frames, len(configs), 'frames value')
    options = _per_config(cfg_options, len(configs), 'cfg_options')
    results = []
    for config, ckpt, num, opts in zip(configs, checkpoints, frames, options):
        log(f'[benchmark_vid] {config}: {num} frames ...')
        start = time.perf_counter()
        args = dict(kwargs, config=config, checkpoint=ckpt, frames=num, cfg_options=opts)
        results.append(_isolated(args) if isolate else benchmark_config(**args))
        log(f'[benchmark_vid] {config}: {results[-1].fps:.3f} fps '
            f'({time.perf_counter() - start:.0f} s in all)')
    return results


def reference_index(results: list[BenchResult]) -> int:
    """The row the ratios refer to: the first LSTS model (else the first row)."""
    return next((i for i, r in enumerate(results) if r.is_lsts), 0)


def _fmt(value: float | None, digits: int = 1) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def _pct(value: float | None) -> str:
    return '-' if value is None else f'{100 * value:.0f}%'


def _fps_digits(results: list[BenchResult]) -> int:
    return 3 if min(r.fps for r in results) < 10 else 2


def table_rows(results: list[BenchResult]) -> list[list[str]]:
    """The table's cells, as written to markdown and CSV (ratios from the printed fps)."""
    digits = _fps_digits(results)
    ref_fps = float(f'{results[reference_index(results)].fps:.{digits}f}')
    rows = []
    for r in results:
        fps = float(f'{r.fps:.{digits}f}')
        timed = (f'{r.num_key} key + {r.num_nonkey} non-key' if r.num_key or r.num_nonkey
                 else f'{len(r.times_ms) - 1}')
        rows.append([r.method, r.config, r.procedure, f'{r.params_m:.1f}', _fmt(r.gflops),
                     f'{fps:.{digits}f}', _fmt(r.median_ms), _fmt(r.key_ms), _fmt(r.nonkey_ms),
                     _fmt(r.first_ms), timed, f'{r.peak_mem_mb:.0f}',
                     f'{fps / ref_fps:.3f}'])
    return rows


def environment(results: list[BenchResult]) -> str:
    """One line on where and how the numbers were taken."""
    import torch
    r = results[0]
    if r.device.startswith('cuda'):
        machine = torch.cuda.get_device_name(0)
    else:
        machine = platform.processor() or platform.machine()
        try:
            with open('/proc/cpuinfo') as f:
                names = [ln.split(':', 1)[1].strip() for ln in f if ln.startswith('model name')]
            machine = f'{names[0]}, {len(names)} logical cores' if names else machine
        except OSError:
            pass
    return (f'{time.strftime("%Y-%m-%d")}, {machine}, device {r.device}, {r.threads} threads, '
            f'torch {torch.__version__}, input {r.size[0]}x{r.size[1]} padded to '
            f'{r.padded[0]}x{r.padded[1]}, {"fp16" if r.fp16 else "fp32"}, batch 1')


def format_markdown(results: list[BenchResult]) -> str:
    """The markdown table with its environment line, notes and the ratios to LSTS."""
    ref = results[reference_index(results)]
    out = io.StringIO()
    out.write(f'Measured {environment(results)}.\n\n')
    out.write('| ' + ' | '.join(COLUMNS) + ' |\n')
    out.write('|' + ' --- |' * len(COLUMNS) + '\n')
    for row in table_rows(results):
        out.write('| ' + ' | '.join(c.replace('|', '/') for c in row) + ' |\n')
    out.write(
        f'\nfps, median and key/non-key means over frames 1..N-1 of the timed video (steady '
        f'state); "ms first frame" is frame 0 (FGFA/SELSA extract all their references there). '
        f'Keyframe = the call ran the whole backbone for its frame. GFLOPs: conv/matmul aten ops '
        f'counted by FlopCounterMode on the warm-up clip (RoIAlign, NMS, grid_sample not '
        f'counted), weighted by the timed frames\' key/non-key mix. Peak memory: '
        f'{ref.mem_kind}. Weights: {ref.extra.get("checkpoint", "random weights")}.\n\n')
    shares = ', '.join(_pct(r.extra.get('other_cpu_share')) for r in results)
    out.write(f'CPU taken by other processes during each timed run, share of all cores (above '
              f'a few % the times are inflated: rerun on an idle machine): {shares}.\n\n')
    for r in results:
        if r is not ref:
            out.write(f'- {ref.method} ({ref.config}) runs at {ref.fps / r.fps:.2f}x the fps of '
                      f'{r.method} ({r.config})\n')
    return out.getvalue()


def format_csv(results: list[BenchResult]) -> str:
    """The table's cells plus the raw numbers (per-frame times, key/non-key GFLOPs)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS + ['fps (exact)', 'GFLOPs keyframe', 'GFLOPs non-keyframe',
                               'memory kind', 'device', 'threads', 'size', 'fp16',
                               'warm-up frames', 'load avg before', 'load avg after',
                               'other processes CPU share', 'RSS before warm-up (MB)',
                               'per-frame ms (F first, K key, '
                               'N non-key, S steady)'])
    for r, row in zip(results, table_rows(results)):
        writer.writerow(row + [f'{r.fps:.5f}', _fmt(r.gflops_key, 2), _fmt(r.gflops_nonkey, 2),
                               r.mem_kind, r.device, r.threads, f'{r.size[0]}x{r.size[1]}',
                               r.fp16, r.warmup, _fmt(r.extra.get('load_avg_before'), 2),
                               _fmt(r.extra.get('load_avg_after'), 2),
                               _pct(r.extra.get('other_cpu_share')),
                               _fmt(r.extra.get('rss_before_run_mb'), 0),
                               ' '.join(f'{KIND_CODES[k]}:{t:.1f}'
                                        for k, t in zip(r.kinds, r.times_ms))])
    return out.getvalue()


def write_outputs(results: list[BenchResult], out_dir: str,
                  name: str = 'benchmark_vid') -> tuple[str, str]:
    """Writes ``<name>.md`` and ``<name>.csv`` to ``out_dir``; returns both paths."""
    os.makedirs(out_dir, exist_ok=True)
    md_path, csv_path = osp.join(out_dir, f'{name}.md'), osp.join(out_dir, f'{name}.csv')
    with open(md_path, 'w') as f:
        f.write(format_markdown(results))
    with open(csv_path, 'w', newline='') as f:
        f.write(format_csv(results))
    return md_path, csv_path
