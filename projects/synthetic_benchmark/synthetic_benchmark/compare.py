"""Every VID method side by side on the synthetic benchmark: one budget, one CSV, one table.

What ``tools/compare.py`` runs. On one synthetic set (:data:`PRESETS`, ``'benchmark'`` by
default, generated once per data seed), every method of :data:`METHODS` (or a chosen subset)
is, per seed:

1. started from the same single-frame detector, trained first for that seed (the synthetic
   stand-in for the ImageNet-pretrained backbone every real VID model starts from): video
   detectors through ``model.detector.init_cfg``, mmdet ones (``USE_MMDET``) through
   ``load_from``;
2. trained for the same number of epochs with ``tools/train.py --deterministic``;
3. tested with ``tools/test.py --eval bbox motion --out results.pkl --work-dir``; the metrics are
   read from the evaluation's own JSON (``eval_*.log.json``), the per-hardship AP from the
   saved results (:mod:`.hardships`).

Each trained model leaves ``train.json`` in its work dir and each finished run ``record.json``;
a run whose record matches the budget and the data is skipped, a trained one is only tested, so
an interrupted comparison resumes where it stopped. After each run
the CSV (:data:`CSV_COLUMNS`, one row per method and seed) is rewritten; rows it holds of runs
that this call does not make (other seeds or methods) are kept. The fps column comes from one
side-by-side speed run (:func:`measure_speed`, ``speed=True``): every method's seed-0 model,
one after another in one ``tools/analysis/benchmark_vid.py`` process, after the training
runs; a method's fps goes into each of its rows (a config's speed does not depend on its
training seed). Run it with nothing else on the
machine.
"""
from __future__ import annotations

import csv
import glob
import io
import json
import math
import os
import os.path as osp
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from mmlsts.utils import atomic_write, markdown_table

from .hardships import hardship_ap50, load_detections
from .preset import PRESETS

__all__ = ['METHODS', 'CSV_COLUMNS', 'compare', 'measure_speed', 'summary_table',
           'calibration', 'read_rows']

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
LAB = 'projects/synthetic_benchmark'
DATA_ROOT = osp.join('data', 'synthetic_vid', 'ILSVRC')  # the tiny configs' data_root
# name: (config, seeds it runs), paths from the repo root. DFF and FGFA tiny keep a random
# FlowNet (no pretrained flow exists at this size), so their numbers say little about the
# methods: one seed each.
METHODS: dict[str, tuple[str, int]] = {
    'single_frame': ('configs/vid/faster_rcnn_tiny_synthetic.py', 3),
    'lsts': (f'{LAB}/configs/lsts_tiny_benchmark.py', 3),
    'lsts_online': (f'{LAB}/configs/lsts_tiny_benchmark_online.py', 3),
    # ours, not the official recipe (the config says what it changes)
    'lsts_low2high_loss': (f'{LAB}/configs/lsts_tiny_benchmark_low2high_loss.py', 3),
    'selsa': ('configs/vid/selsa_tiny_synthetic.py', 3),
    'dff': ('configs/vid/dff_tiny_synthetic.py', 1),
    'fgfa': ('configs/vid/fgfa_tiny_synthetic.py', 1),
}
PRETRAIN_CONFIG = METHODS['single_frame'][0]
CSV_COLUMNS = ('method', 'config', 'seed', 'val_frames', 'bbox_mAP_50', 'hard_AP50',
               'clean_AP50', 'motion_mAP_slow', 'motion_mAP_medium', 'motion_mAP_fast', 'fps',
               'train_s')
_METRICS = CSV_COLUMNS[4:10]
# The video stage's budget in the official recipe's shape (lsts_uniform.yaml, the FGFA lists it
# trains on): DET_train_30classes 53,638 still images beside VID_train_15frames 57,834 frames,
# and one lr step at epoch 2.333 of 4. See video_stage_config.
STILLS_SHARE = 53638 / (53638 + 57834)
LR_STEP_AT = 2.333 / 4
# mmcv's Config.fromfile imports the file through a temporary sys.path entry: not thread-safe.
_CONFIG_LOCK = threading.Lock()


def project_path(relative: str) -> str:
    """A file of the repository (``configs/...``, ``tools/...``, the lab's configs)."""
    path = osp.join(REPO, relative)
    if not osp.exists(path):
        raise FileNotFoundError(f'{relative} is not in the repository {REPO}')
    return path


def prepare_data(workspace: str, data_seed: int, preset: str = 'benchmark',
                 **overrides) -> str:
    """Generate and convert the synthetic set under ``workspace`` (once per preset and seed)."""
    from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid
    root = osp.join(workspace, DATA_ROOT)
    stamp_file = osp.join(root, '.compare_data')
    stamp = data_stamp(preset, data_seed, overrides)
    if not (osp.exists(stamp_file) and open(stamp_file).read().strip() == stamp):
        make_synthetic_vid(root, seed=data_seed, overwrite=True,
                           **{**PRESETS[preset], **overrides})
        convert_ilsvrc(root, osp.join(root, 'annotations'), progress=False)
        atomic_write(stamp_file, stamp + '\n')
    return root


def data_stamp(preset: str, data_seed: int, overrides: dict) -> str:
    return json.dumps(dict(preset=preset, data_seed=data_seed, **overrides), sort_keys=True)


def _run_tool(tool: str, args: list[str], cwd: str, log_path: str, threads: int) -> None:
    cmd = [sys.executable, project_path(osp.join('tools', tool)), *args]
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    with open(log_path, 'w') as log:
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                              check=False)
    if done.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-2000:]
        raise RuntimeError(f'{tool} failed (exit {done.returncode}); log: {log_path}\n{tail}')


def init_options(config: str, checkpoint: str) -> list[str]:
    """``--cfg-options`` that start ``config``'s detector from ``checkpoint``'s weights."""
    from mmcv import Config
    with _CONFIG_LOCK:
        use_mmdet = Config.fromfile(config).get('USE_MMDET', False)
    if use_mmdet:
        return [f'load_from={checkpoint}']
    return ['model.detector.init_cfg.type=Pretrained',
            f'model.detector.init_cfg.checkpoint={checkpoint}']


def train(config: str, seed: int, epochs: int, workspace: str, work_dir: str,
          init_from: str | None = None, threads: int = 1, video_stage: bool = False) -> float:
    """Train ``config`` into ``work_dir`` (``latest.pth``); returns the seconds it took.
    ``video_stage``: on :func:`video_stage_config`'s budget, else (the single-frame pretraining)
    with the tiny schedule's steps (8 and 11 of 12 epochs) scaled to ``epochs``."""
    os.makedirs(work_dir, exist_ok=True)
    options = [f'total_epochs={epochs}', f'checkpoint_config.interval={epochs}']
    if video_stage:
        config = video_stage_config(config, epochs, workspace, work_dir)
    else:
        options.append(f'lr_config.step=[{max(1, epochs * 2 // 3)},{max(1, epochs * 11 // 12)}]')
    if init_from:
        options += init_options(config, init_from)
    start = time.perf_counter()
    _run_tool('train.py', [config, '--work-dir', work_dir, '--seed', str(seed), '--deterministic',
                           '--no-validate', '--cfg-options', *options],
              workspace, osp.join(work_dir, 'train.out'), threads)
    return time.perf_counter() - start


def video_stage_config(config: str, epochs: int, workspace: str, work_dir: str) -> str:
    """``config`` on the video stage's budget, the official recipe's shape at this size; writes
    it as ``<work_dir>/video_stage.py`` and returns that path.

    - Still images at the official share of the samples (:data:`STILLS_SHARE`): the DET set
      (``data.train[1]``) repeated in every epoch as often as that takes.
    - ``epochs`` epochs (the official 4 by default) at the config's lr and warm-up, one x0.1
      step at :data:`LR_STEP_AT` of the iterations (official: at epoch 2.333 of 4).
    """
    from mmcv import Config
    with _CONFIG_LOCK:
        cfg = Config.fromfile(config)
    videos, stills = cfg.data.train
    n_videos, n_stills = train_lengths(cfg, workspace)
    times = max(1, round(STILLS_SHARE / (1 - STILLS_SHARE) * n_videos / n_stills))
    cfg.data.train = [videos, dict(type='RepeatDataset', times=times, dataset=stills)]
    iterations = epochs * (n_videos + times * n_stills) // cfg.data.samples_per_gpu
    cfg.lr_config.update(by_epoch=False, step=[round(LR_STEP_AT * iterations)])
    path = osp.join(work_dir, 'video_stage.py')
    cfg.dump(path)
    return path


def train_lengths(cfg, workspace: str) -> tuple[int, int]:
    """Training samples of ``cfg``'s two sets (videos, stills) on ``workspace``'s data."""
    import copy

    from mmtrack.datasets import build_dataset

    import mmlsts  # noqa: F401  (registers LSTSVIDDataset)
    lengths = []
    for dataset in cfg.data.train:
        dataset = copy.deepcopy(dataset)
        dataset.update(ann_file=osp.join(workspace, dataset.ann_file),
                       img_prefix=osp.join(workspace, dataset.img_prefix))
        lengths.append(len(build_dataset(dataset)))
    return lengths[0], lengths[1]


def pretrain(seed: int, epochs: int, workspace: str, stamp: str, threads: int = 1) -> str:
    """The single-frame detector every method of ``seed`` starts from (trained once)."""
    work_dir = osp.join(workspace, 'work_dirs', 'pretrain', f'seed{seed}')
    _train_once(project_path(PRETRAIN_CONFIG), seed, epochs, workspace, work_dir,
                dict(data=stamp, epochs=epochs), threads=threads)
    return osp.join(work_dir, 'latest.pth')


def _train_once(config: str, seed: int, epochs: int, workspace: str, work_dir: str,
                budget: dict, init_from: str | None = None, threads: int = 1,
                video_stage: bool = False) -> float:
    """:func:`train` unless ``work_dir`` holds a checkpoint trained on ``budget``
    (``train.json``); returns the training seconds either way."""
    trained = _read_record(work_dir, 'train.json')
    if trained and trained.get('budget') == budget and \
            osp.isfile(osp.join(work_dir, 'latest.pth')):
        return trained['train_s']
    train_s = train(config, seed, epochs, workspace, work_dir, init_from, threads, video_stage)
    atomic_write(osp.join(work_dir, 'train.json'),
                 json.dumps(dict(budget=budget, train_s=train_s)))
    return train_s


def _read_record(work_dir: str, name: str = 'record.json') -> dict | None:
    path = osp.join(work_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _eval_json(work_dir: str) -> dict:
    found = sorted(glob.glob(osp.join(work_dir, 'eval_*.log.json')))
    if not found:
        raise RuntimeError(f'tools/test.py wrote no eval_*.log.json into {work_dir}')
    with open(found[-1]) as f:
        return json.load(f)  # {'config', 'mode', 'epoch', and every metric}


def run_method(method: str, seed: int, epochs: int, workspace: str, budget: dict,
               init_from: str, threads: int = 1) -> dict:
    """Train, test and evaluate one (method, seed); returns its CSV row (``record.json``)."""
    config = project_path(METHODS[method][0])
    work_dir = osp.join(workspace, 'work_dirs', method, f'seed{seed}')
    record = _read_record(work_dir)
    if record and record.get('budget') == budget:
        return record['row']
    checkpoint = osp.join(work_dir, 'latest.pth')
    results = osp.join(work_dir, 'results.pkl')
    train_s = _train_once(config, seed, epochs, workspace, work_dir, budget, init_from, threads,
                          video_stage=True)
    evals = glob.glob(osp.join(work_dir, 'eval_*.log.json'))
    tested = osp.isfile(results) and evals and all(
        osp.getmtime(p) > osp.getmtime(checkpoint) for p in [results, *evals])
    if not tested:
        for old in evals:
            os.remove(old)
        _run_tool('test.py', [config, '--checkpoint', checkpoint, '--eval', 'bbox', 'motion',
                              '--out', results, '--work-dir', work_dir],
                  workspace, osp.join(work_dir, 'test.out'), threads)
    metric = _eval_json(work_dir)
    hard = hardship_ap50(load_detections(results), osp.join(workspace, DATA_ROOT))
    row = dict(method=method, config=METHODS[method][0], seed=seed, val_frames=hard['all'][1],
               bbox_mAP_50=metric['bbox_mAP_50'], hard_AP50=hard['hard'][0],
               clean_AP50=hard['clean'][0], motion_mAP_slow=metric['motion_mAP_slow'],
               motion_mAP_medium=metric['motion_mAP_medium'],
               motion_mAP_fast=metric['motion_mAP_fast'], fps='', train_s=round(train_s, 1))
    atomic_write(osp.join(work_dir, 'record.json'), json.dumps(dict(budget=budget, row=row)))
    return row


def compare(methods: list[str], workspace: str, epochs: int, pretrain_epochs: int,
            data_seed: int = 0, preset: str = 'benchmark', seeds: list[int] | None = None,
            jobs: int = 1, threads: int = 1, csv_path: str | None = None,
            log: Callable[[str], None] = print, speed: bool = False,
            **overrides) -> list[dict]:
    """Run (or resume) the comparison; returns the CSV rows of every finished run (and of
    the CSV's other runs). ``speed``: then fill the fps column (:func:`measure_speed`)."""
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f'unknown methods {unknown}; choose from {sorted(METHODS)}')
    workspace = osp.abspath(workspace)
    prepare_data(workspace, data_seed, preset, **overrides)
    stamp = data_stamp(preset, data_seed, overrides)
    budget = dict(data=stamp, epochs=epochs, pretrain_epochs=pretrain_epochs,
                  video_stage=dict(stills_share=round(STILLS_SHARE, 4), lr_step_at=LR_STEP_AT))
    runs = [(m, s) for s in range(max(n for _, n in METHODS.values())) for m in methods
            if s < METHODS[m][1] and (seeds is None or s in seeds)]
    # Rows of runs this call does not make (other seeds, other methods) stay in the CSV, and
    # the fps of an earlier speed run stays in the rows it makes.
    before = {(r['method'], r['seed']): r for r in (
        read_rows(csv_path) if csv_path and osp.isfile(csv_path) else [])}
    rows: dict[tuple[str, int], dict] = {k: r for k, r in before.items() if k not in runs}

    def one(method: str, seed: int) -> None:
        row = run_method(method, seed, epochs, workspace, budget, pretrained[seed], threads)
        if row['fps'] in ('', None) and (method, seed) in before:
            row = dict(row, fps=before[(method, seed)]['fps'] or '')
        rows[(method, seed)] = row
        log(f"{method} seed {seed}: bbox_mAP_50 {row['bbox_mAP_50']:.4f}, hard "
            f"{row['hard_AP50']:.4f}, clean {row['clean_AP50']:.4f} (train {row['train_s']} s)")
        if csv_path:
            write_csv(csv_path, _in_order(rows))

    seeds_used = sorted({s for _, s in runs})
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # pretraining first: every run of a seed starts from its detector
        pretrained = dict(zip(seeds_used, pool.map(
            lambda s: pretrain(s, pretrain_epochs, workspace, stamp, threads), seeds_used)))
        log(f'pretrained single-frame detectors: {sorted(pretrained.values())}')
        failures = [f for f in [pool.submit(one, m, s) for m, s in runs] if f.exception()]
    for failure in failures:
        log(f'failed: {failure.exception()}')
    if speed:
        fps = measure_speed(methods, workspace, threads=threads)
        for row in rows.values():
            row['fps'] = round(fps[row['method']], 2) if row['method'] in fps else row['fps']
        log('fps: ' + ', '.join(f'{m} {v:.2f}' for m, v in fps.items()))
        if csv_path:
            write_csv(csv_path, _in_order(rows))
    return _in_order(rows)


def measure_speed(methods: list[str], workspace: str, frames: int = 41,
                  size: tuple[int, int] = (128, 160), threads: int = 1) -> dict[str, float]:
    """fps of each method's trained seed-0 model, measured back to back in one
    ``tools/analysis/benchmark_vid.py`` process (each config's own test pipeline and references,
    a ``frames``-frame video of the synthetic set's image ``size``, batch 1, CPU, ``threads``
    torch threads). Methods without a seed-0 checkpoint are left out."""
    found = [(m, osp.join(workspace, 'work_dirs', m, 'seed0', 'latest.pth')) for m in methods]
    found = [(m, ckpt) for m, ckpt in found if osp.isfile(ckpt)]
    if not found:
        return {}
    out_dir = osp.join(workspace, 'work_dirs', 'speed')
    os.makedirs(out_dir, exist_ok=True)
    _run_tool(osp.join('analysis', 'benchmark_vid.py'),
              [*(project_path(METHODS[m][0]) for m, _ in found), '--checkpoints',
               *(ckpt for _, ckpt in found), '--frames', str(frames), '--size', *map(str, size),
               '--threads', str(threads), '--no-flops', '--out-dir', out_dir],
              workspace, osp.join(out_dir, 'benchmark_vid.out'), threads)
    with open(osp.join(out_dir, 'benchmark_vid.csv'), newline='') as f:
        measured = [float(row['fps']) for row in csv.DictReader(f)]
    return {m: fps for (m, _), fps in zip(found, measured)}


def _in_order(rows: dict[tuple[str, int], dict]) -> list[dict]:
    """The rows in :data:`METHODS` order (methods it does not know last), then by seed."""
    order = list(METHODS)
    return [rows[k] for k in sorted(
        rows, key=lambda k: (order.index(k[0]) if k[0] in order else len(order), k[0], k[1]))]


def write_csv(path: str, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator='\n')
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _fmt(row[k]) for k in CSV_COLUMNS})
    atomic_write(path, buffer.getvalue())


def _fmt(value) -> str:
    if value is None:
        return ''
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f'{value:.4f}'
    return str(value)


def read_rows(path: str) -> list[dict]:
    """The rows of a comparison CSV, numbers as floats (empty cells as None)."""
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise ValueError(f'{path}: columns {reader.fieldnames}, expected {list(CSV_COLUMNS)}')
        rows = []
        for row in reader:
            for key in CSV_COLUMNS[2:]:
                row[key] = float(row[key]) if row[key] not in ('', 'nan') else None
            row['seed'] = int(row['seed'])
            rows.append(row)
    return rows


def _mean_std(values: list[float]) -> tuple[float, float]:
    values = [v for v in values if isinstance(v, (int, float)) and not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def summary_table(rows: list[dict]) -> str:
    """Markdown: per method, mean +- std over seeds of every metric, and fps."""
    methods = list(dict.fromkeys(r['method'] for r in rows))
    header = ['method', 'seeds', *_METRICS, 'fps', 'train s']
    body = []
    for method in methods:
        mine = [r for r in rows if r['method'] == method]
        cells = [method, len(mine)]
        for key in _METRICS:
            mean, std = _mean_std([r[key] for r in mine])
            cells.append(f'{mean:.3f} +- {std:.3f}' if len(mine) > 1 else f'{mean:.3f}')
        fps = _mean_std([r['fps'] for r in mine])[0]
        cells.append('' if math.isnan(fps) else f'{fps:.1f}')
        cells.append(f"{_mean_std([r['train_s'] for r in mine])[0]:.0f}")
        body.append(cells)
    return markdown_table(header, body)


def calibration(rows: list[dict], gain: float = 0.03) -> tuple[bool, str]:
    """Does SELSA beat the single-frame detector by ``gain`` and by more than twice the larger
    seed std of the two (bbox_mAP_50)? The benchmark means nothing until it does."""
    stats = {m: _mean_std([r['bbox_mAP_50'] for r in rows if r['method'] == m])
             for m in ('selsa', 'single_frame')}
    (selsa, s_std), (single, f_std) = stats['selsa'], stats['single_frame']
    delta = selsa - single
    ok = delta >= gain and delta > 2 * max(s_std, f_std)
    return ok, (f'SELSA {selsa:.4f} +- {s_std:.4f} vs single frame {single:.4f} +- {f_std:.4f}: '
                f'gain {delta:+.4f} (needs >= {gain} and > {2 * max(s_std, f_std):.4f})')
