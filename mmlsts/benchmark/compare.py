"""Train and evaluate several VID configs on the synthetic set with one budget: the mAP table.

Each (config, seed) is trained by ``tools/train.py`` and evaluated by ``tools/test.py --eval
bbox`` in its own process, on one synthetic ILSVRC-layout set (generated once from
``data_seed`` and converted with our converter), with the same number of epochs for every
method. The table gives bbox_mAP_50 per seed and its mean and standard deviation. The CLI is
``tools/analysis/compare.py``.

With ``pretrain`` (the synthetic stand-in for the ImageNet-pretrained backbone every real VID
model starts from), a single-frame config is first trained per seed, and every method then
starts from its detector weights: video detectors through ``model.detector.init_cfg``
(``Pretrained``), plain mmdet detectors (``USE_MMDET`` configs) through ``load_from``.
"""
from __future__ import annotations

import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA_ROOT = osp.join('data', 'synthetic_vid', 'ILSVRC')  # the tiny configs' data_root


@dataclass
class RunResult:
    config: str
    seed: int
    map50: float
    train_s: float
    test_s: float


@dataclass
class MethodSummary:
    config: str
    runs: list[RunResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return osp.splitext(osp.basename(self.config))[0]

    @property
    def mean(self) -> float:
        return statistics.fmean(r.map50 for r in self.runs)

    @property
    def std(self) -> float:
        values = [r.map50 for r in self.runs]
        return statistics.stdev(values) if len(values) > 1 else 0.0


def prepare_data(workspace: str, data_seed: int, **synthetic_kwargs) -> str:
    """Generate and convert the synthetic set under ``workspace`` (once per data seed)."""
    from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid
    root = osp.join(workspace, DATA_ROOT)
    stamp = osp.join(root, '.compare_data_seed')
    if not (osp.exists(stamp) and open(stamp).read().strip() == str(data_seed)):
        make_synthetic_vid(root, seed=data_seed, overwrite=True, **synthetic_kwargs)
        with open(stamp, 'w') as f:
            f.write(str(data_seed))
    convert_ilsvrc(root, osp.join(root, 'annotations'), progress=False)
    return root


def _run_tool(tool: str, args: list[str], cwd: str, log_path: str) -> str:
    cmd = [sys.executable, osp.join(REPO, 'tools', tool), *args]
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    with open(log_path, 'w') as f:
        f.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f'{tool} failed (exit {done.returncode}); log: {log_path}\n'
                           + (done.stdout + done.stderr)[-2000:])
    return done.stdout + done.stderr


def init_options(config: str, checkpoint: str) -> list[str]:
    """``--cfg-options`` that start ``config``'s detector from ``checkpoint``'s weights."""
    from mmcv import Config
    if Config.fromfile(config).get('USE_MMDET', False):
        return [f'load_from={checkpoint}']
    return ['model.detector.init_cfg.type=Pretrained',
            f'model.detector.init_cfg.checkpoint={checkpoint}']


def train(config: str, seed: int, epochs: int, workspace: str, work_dir: str,
          init_from: str | None = None) -> float:
    """Train ``config`` into ``work_dir`` (``latest.pth``); returns the seconds it took."""
    os.makedirs(work_dir, exist_ok=True)
    config = osp.abspath(config)
    steps = f'[{max(1, epochs * 2 // 3)},{max(1, epochs * 11 // 12)}]'
    options = [f'total_epochs={epochs}', f'checkpoint_config.interval={epochs}',
               f'lr_config.step={steps}']
    if init_from:
        options += init_options(config, init_from)
    start = time.perf_counter()
    _run_tool('train.py', [config, '--work-dir', work_dir, '--seed', str(seed), '--deterministic',
                           '--no-validate', '--cfg-options', *options],
              workspace, osp.join(work_dir, 'train.out'))
    return time.perf_counter() - start


def pretrain(config: str, seed: int, epochs: int, workspace: str, data_seed: int) -> str:
    """The single-frame detector every method starts from (trained once per seed, epochs and
    data seed: the workspace's data is regenerated when the data seed changes)."""
    name = osp.splitext(osp.basename(config))[0]
    work_dir = osp.join(workspace, 'work_dirs', 'pretrain', f'{name}_{epochs}e_data{data_seed}',
                        f'seed{seed}')
    checkpoint = osp.join(work_dir, 'latest.pth')
    if not osp.isfile(checkpoint):
        train(config, seed, epochs, workspace, work_dir)
    return checkpoint


def train_and_test(config: str, seed: int, epochs: int, workspace: str,
                   init_from: str | None = None) -> RunResult:
    """One training + evaluation; the mAP is read from tools/test.py's metric dict."""
    name = osp.splitext(osp.basename(config))[0]
    run = f'pretrained_seed{seed}' if init_from else f'seed{seed}'
    work_dir = osp.join(workspace, 'work_dirs', name, run)
    config = osp.abspath(config)
    start = time.perf_counter()
    train_s = train(config, seed, epochs, workspace, work_dir, init_from)
    out = _run_tool('test.py', [config, '--checkpoint', osp.join(work_dir, 'latest.pth'),
                                '--eval', 'bbox'], workspace, osp.join(work_dir, 'test.out'))
    found = re.findall(r"'bbox_mAP_50': ([0-9.]+)", out)
    if not found:
        raise RuntimeError(f'no bbox_mAP_50 in the output of tools/test.py for {config}')
    return RunResult(config, seed, float(found[-1]), train_s,
                     time.perf_counter() - start - train_s)


def compare(configs: list[str], seeds: list[int], epochs: int, workspace: str,
            data_seed: int = 0, log=print, pretrain_config: str | None = None,
            pretrain_epochs: int | None = None, **synthetic_kwargs) -> list[MethodSummary]:
    prepare_data(workspace, data_seed, **synthetic_kwargs)
    inits = {seed: None for seed in seeds}
    if pretrain_config:
        for seed in seeds:
            inits[seed] = pretrain(pretrain_config, seed, pretrain_epochs or epochs, workspace,
                                   data_seed)
            log(f'pretrained {osp.basename(pretrain_config)} seed {seed}: {inits[seed]}')
    summaries = []
    for config in configs:
        summary = MethodSummary(config)
        for seed in seeds:
            result = train_and_test(config, seed, epochs, workspace, inits[seed])
            summary.runs.append(result)
            log(f'{summary.name} seed {seed}: bbox_mAP_50 {result.map50:.4f} '
                f'(train {result.train_s:.0f} s, test {result.test_s:.0f} s)')
        summaries.append(summary)
    return summaries


def markdown(summaries: list[MethodSummary], epochs: int, data_seed: int,
             pretrain_note: str = '') -> str:
    seeds = [r.seed for r in summaries[0].runs] if summaries else []
    head = ['method', 'bbox_mAP_50 mean', 'std'] + [f'seed {s}' for s in seeds] + \
        ['train s / run']
    lines = [f'Synthetic VID set (data seed {data_seed}), {epochs} epochs each{pretrain_note}, '
             'CPU', '',
             '| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    for s in summaries:
        cells = [s.name, f'{s.mean:.4f}', f'{s.std:.4f}']
        cells += [f'{r.map50:.4f}' for r in s.runs]
        cells.append(f'{statistics.fmean(r.train_s for r in s.runs):.0f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'
