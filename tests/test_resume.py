"""A training killed after epoch 1 and resumed with --resume-from ends where an uninterrupted
one ends.

Three runs of tools/train.py on a tiny generated set, ``--seed 0 --deterministic``, two epochs:
A runs through; B is killed (SIGKILL) as soon as its epoch-1 checkpoint is written; C resumes
B's work folder from ``epoch_1.pth``. mmcv's checkpoints hold the weights, the optimizer state
(momentum buffers), the epoch and the iteration (which the warmup and step lr follow), but not
the random generators' state: the resumed process re-seeds once at start, so its epoch 2 would
draw other shuffles, flips, reference frames and RoI samples than A's epoch 2 and the weights
could only be compared loosely. The test config adds one hook that re-seeds Python, numpy and
torch from (seed, epoch) before every epoch, which makes the data of an epoch independent of
how the process got there. Then everything that resuming must restore is checked exactly: the
same losses and learning rates in epoch 2, and the same final weights and optimizer state.
"""
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import pytest
import torch

from mmlsts.compat import load_local_checkpoint

pytestmark = pytest.mark.slow

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py')
TRAIN_FRAMES, DET_IMAGES = 10, 2
ITERS_PER_EPOCH = TRAIN_FRAMES + DET_IMAGES

RESEED_HOOK = '''
"""Re-seed random, numpy and torch from (seed, epoch) before every training epoch."""
import random

import numpy as np
import torch
from mmcv.runner import HOOKS, Hook


@HOOKS.register_module()
class ReseedEachEpoch(Hook):
    def __init__(self, seed):
        self.seed = seed

    def before_train_epoch(self, runner):
        seed = self.seed * 1000 + runner.epoch
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
'''


@pytest.fixture(scope='module')
def workspace(make_workspace):
    root = make_workspace('resume', seed=7, frames_per_video=TRAIN_FRAMES,
                          num_det_images=DET_IMAGES)
    (root / 'reseed_each_epoch.py').write_text(RESEED_HOOK)
    (root / 'resume_cfg.py').write_text(
        f'_base_ = [{TINY!r}]\n'
        "custom_imports = dict(imports=['mmlsts', 'reseed_each_epoch'], "
        'allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='ReseedEachEpoch', seed=0, priority='HIGHEST')]\n"
        'total_epochs = 2\n'
        'checkpoint_config = dict(interval=1)\n'
        "evaluation = dict(metric=['bbox'], interval=100)\n"
        'log_config = dict(interval=1)\n')
    return root


def _train_cmd(workspace, work_dir, *extra):
    return [sys.executable, osp.join(REPO, 'tools', 'train.py'), str(workspace / 'resume_cfg.py'),
            '--work-dir', str(work_dir), '--seed', '0', '--deterministic', *extra]


def _env(workspace):
    return dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1',
                PYTHONPATH=str(workspace) + os.pathsep + os.environ.get('PYTHONPATH', ''))


def _train(workspace, work_dir, *extra):
    done = subprocess.run(_train_cmd(workspace, work_dir, *extra), cwd=workspace,
                          env=_env(workspace), capture_output=True, text=True, timeout=600,
                          check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return log


def _train_and_kill_after_epoch_1(workspace, work_dir):
    """Start a 2-epoch run; SIGKILL it once epoch_1.pth is complete (latest.pth, the link that
    mmcv makes after writing it, exists)."""
    log_path = workspace / 'killed.log'
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(_train_cmd(workspace, work_dir), cwd=workspace,
                                env=_env(workspace), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        try:
            while not osp.lexists(work_dir / 'latest.pth'):
                assert proc.poll() is None, log_path.read_text()[-4000:]
                assert time.monotonic() < deadline, 'no epoch-1 checkpoint in 600 s'
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return log_path.read_text()


def _epoch_lines(log, epoch):
    """(lr, loss) of every logged iteration of an epoch."""
    return re.findall(rf'Epoch \[{epoch}\]\[\d+/\d+\]\s+lr: ([0-9.e+-]+),.*?[ \t]loss: ([0-9.]+)',
                      log)


def test_killed_after_epoch_1_and_resumed_equals_uninterrupted(workspace):
    straight, killed = workspace / 'straight', workspace / 'killed'
    log_a = _train(workspace, straight)
    log_b = _train_and_kill_after_epoch_1(workspace, killed)
    assert (killed / 'epoch_1.pth').exists() and not (killed / 'epoch_2.pth').exists()
    # Epoch 1 is the same in both (the check that the runs are deterministic at all).
    assert _epoch_lines(log_b, 1) == _epoch_lines(log_a, 1)
    assert len(_epoch_lines(log_a, 1)) == ITERS_PER_EPOCH

    log_c = _train(workspace, killed, '--resume-from', str(killed / 'epoch_1.pth'))
    assert f'resumed epoch 1, iter {ITERS_PER_EPOCH}' in log_c
    assert _epoch_lines(log_c, 1) == []  # nothing of epoch 1 runs again
    # The learning rate follows the restored iteration (still in the 50-iteration warmup).
    epoch_2 = _epoch_lines(log_a, 2)
    assert len(epoch_2) == ITERS_PER_EPOCH and _epoch_lines(log_c, 2) == epoch_2

    final_a = load_local_checkpoint(str(straight / 'epoch_2.pth'), map_location='cpu')
    final_c = load_local_checkpoint(str(killed / 'epoch_2.pth'), map_location='cpu')
    assert final_a['meta']['epoch'] == final_c['meta']['epoch'] == 2
    assert final_a['meta']['iter'] == final_c['meta']['iter'] == 2 * ITERS_PER_EPOCH
    weights_a, weights_c = final_a['state_dict'], final_c['state_dict']
    assert weights_a.keys() == weights_c.keys()
    for name in weights_a:
        torch.testing.assert_close(weights_c[name], weights_a[name], rtol=1e-5, atol=1e-7,
                                   msg=lambda m, name=name: f'{name}: {m}')
    momentum_a = final_a['optimizer']['state']
    momentum_c = final_c['optimizer']['state']
    assert momentum_a.keys() == momentum_c.keys() and len(momentum_a) > 0
    for key in momentum_a:
        torch.testing.assert_close(momentum_c[key]['momentum_buffer'],
                                   momentum_a[key]['momentum_buffer'], rtol=1e-5, atol=1e-7)
