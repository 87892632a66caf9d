"""The multi-GPU path on CPU: tools/dist_train.sh and tools/dist_test.sh with 2 gloo processes.

The scripts run MMTracking's own tools under ``python -m torch.distributed.run`` with
``--launcher pytorch``; without CUDA, :mod:`mmlsts.dist` (applied by tools/_mmtrack_tool.py)
lets that path run on CPU processes. A tiny generated set keeps both runs to seconds. Also the
Slurm scripts (with a stand-in ``srun`` that records its command) and the command lines that
launchers write (``--local-rank``; mim's positional checkpoint).
"""
import os
import os.path as osp
import re
import socket
import subprocess
import sys

import pytest

from mmlsts.dist import launcher_from_argv, setup_launcher

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py')
TRAIN_FRAMES, DET_IMAGES, VAL_VIDEOS, VAL_FRAMES = 10, 2, 2, 10


@pytest.fixture(scope='module')
def workspace(make_workspace):
    """A cwd holding data/synthetic_vid/ILSVRC: 1 train video, 2 val videos (one per rank)."""
    return make_workspace('dist', seed=3, num_val_videos=VAL_VIDEOS,
                          frames_per_video=TRAIN_FRAMES, num_det_images=DET_IMAGES)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _dist(workspace, script, *args):
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1', PORT=str(_free_port()),
               CUDA_VISIBLE_DEVICES='',
               PATH=osp.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    done = subprocess.run(['bash', osp.join(REPO, 'tools', script), TINY, '2', *args],
                          cwd=workspace, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return log


def test_launcher_detection_and_no_launcher_changes_nothing():
    assert launcher_from_argv(['cfg.py', '--launcher', 'pytorch']) == 'pytorch'
    assert launcher_from_argv(['cfg.py', '--launcher=slurm', '--seed', '0']) == 'slurm'
    assert launcher_from_argv(['cfg.py', '--launcher']) == 'none'
    assert launcher_from_argv(['cfg.py']) == 'none'
    assert setup_launcher('none') == []


def test_with_cuda_the_launcher_changes_nothing():
    """The GPU path's fixes come with `import mmlsts` (tests/test_foundation.py); the CPU
    launcher is only for processes without CUDA."""
    import torch
    cuda_method = torch.nn.Module.cuda
    assert setup_launcher('pytorch', cuda=True) == []
    assert torch.nn.Module.cuda is cuda_method


def test_launcher_command_lines_reach_mmtrack_as_it_parses_them():
    sys.path.insert(0, osp.join(REPO, 'tools'))
    try:
        from _mmtrack_tool import mmtrack_argv
    finally:
        sys.path.pop(0)
    # torch.distributed.launch of torch >= 2.0 (mim's and MMTracking's dist_train.sh launcher)
    assert mmtrack_argv('train.py', ['c.py', '--local-rank=3', '--launcher', 'pytorch']) == \
        ['c.py', '--local_rank=3', '--launcher', 'pytorch']
    assert mmtrack_argv('train.py', ['c.py', '--local-rank', '1']) == ['c.py', '--local_rank', '1']
    # mim test passes the checkpoint right after the config
    assert mmtrack_argv('test.py', ['c.py', 'w/latest.pth', '--eval', 'bbox']) == \
        ['c.py', '--checkpoint', 'w/latest.pth', '--eval', 'bbox']
    for args in (['c.py', '--checkpoint', 'x.pth'], ['c.py', '--eval', 'bbox'], ['c.py']):
        assert mmtrack_argv('test.py', args) == args
    assert mmtrack_argv('train.py', ['c.py', 'extra']) == ['c.py', 'extra']


def _fake_srun(tmp_path):
    """An `srun` on PATH that writes its arguments and PYTHONPATH, one per line."""
    record = tmp_path / 'srun_args.txt'
    srun = tmp_path / 'bin' / 'srun'
    srun.parent.mkdir()
    srun.write_text('#!/usr/bin/env bash\n'
                    f'printf "%s\\n" "PYTHONPATH=$PYTHONPATH" "$@" > {record}\n')
    srun.chmod(0o755)
    env = dict(os.environ, PATH=str(srun.parent) + os.pathsep + os.environ['PATH'],
               GPUS_PER_NODE='4', CPUS_PER_TASK='5', SRUN_ARGS='--qos=high --time=1:00:00')
    return record, env


@pytest.mark.parametrize('script', ['slurm_train.sh', 'slurm_test.sh'])
def test_slurm_scripts_are_executable_and_parse(script):
    path = osp.join(REPO, 'tools', script)
    assert os.access(path, os.X_OK)
    subprocess.run(['bash', '-n', path], check=True)


def test_slurm_train_builds_mmtrackings_srun_command(tmp_path):
    record, env = _fake_srun(tmp_path)
    subprocess.run(['bash', osp.join(REPO, 'tools', 'slurm_train.sh'), 'gpu', 'lsts', TINY,
                    'work_dirs/x', '8', '--seed', '0', '--cfg-options', 'total_epochs=1'],
                   env=env, check=True, capture_output=True)
    pythonpath, *args = record.read_text().splitlines()
    assert osp.realpath(pythonpath.split('=', 1)[1].split(os.pathsep)[0]) == REPO
    assert args == ['-p', 'gpu', '--job-name=lsts', '--gres=gpu:4', '--ntasks=8',
                    '--ntasks-per-node=4', '--cpus-per-task=5', '--kill-on-bad-exit=1',
                    '--qos=high', '--time=1:00:00', 'python', '-u',
                    osp.join(REPO, 'tools', 'train.py'), TINY, '--work-dir=work_dirs/x',
                    '--launcher=slurm', '--seed', '0', '--cfg-options', 'total_epochs=1']


def test_slurm_test_builds_mmtrackings_srun_command(tmp_path):
    record, env = _fake_srun(tmp_path)
    subprocess.run(['bash', osp.join(REPO, 'tools', 'slurm_test.sh'), 'gpu', 'lsts-test', TINY,
                    '2', '--checkpoint', 'a b/latest.pth', '--eval', 'bbox'],
                   env=env, check=True, capture_output=True)
    _, *args = record.read_text().splitlines()
    assert args[:4] == ['-p', 'gpu', '--job-name=lsts-test', '--gres=gpu:4']
    assert args[10:] == ['python', '-u', osp.join(REPO, 'tools', 'test.py'), TINY,
                         '--launcher=slurm', '--checkpoint', 'a b/latest.pth', '--eval', 'bbox']


def test_slurm_scripts_name_their_arguments_when_too_few(tmp_path):
    record, env = _fake_srun(tmp_path)
    done = subprocess.run(['bash', osp.join(REPO, 'tools', 'slurm_train.sh'), 'gpu', 'lsts'],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and 'PARTITION JOB_NAME CONFIG WORK_DIR GPUS' in done.stderr
    assert not record.exists()


@pytest.mark.slow
def test_dist_train_then_dist_test_with_two_cpu_processes(workspace):
    work_dir = workspace / 'work_dirs' / 'dist'
    log = _dist(workspace, 'dist_train.sh', '--work-dir', str(work_dir), '--cfg-options',
                'total_epochs=1', 'checkpoint_config.interval=1', 'evaluation.interval=1',
                'log_config.interval=1')
    for rank in (0, 1):
        assert f'mmlsts.dist: rank {rank} of 2: no CUDA' in log
    assert 'Distributed training: True' in log
    # The 12 training samples are split over the two ranks: 6 iterations each.
    per_rank = (TRAIN_FRAMES + DET_IMAGES) // 2
    assert f'Epoch [1][{per_rank}/{per_rank}]' in log, log[-3000:]
    losses = [float(x) for x in re.findall(r'[ \t]loss: ([0-9.]+)', log)]
    assert len(losses) == per_rank and all(0 < x < 100 for x in losses)
    # DistEvalHook: both ranks' results gathered (every val frame) and evaluated on rank 0.
    assert f'Epoch(val) [1][{VAL_VIDEOS * VAL_FRAMES}]' in log and 'bbox_mAP_50' in log
    assert (work_dir / 'epoch_1.pth').exists() and (work_dir / 'latest.pth').exists()

    out = _dist(workspace, 'dist_test.sh', '--checkpoint', str(work_dir / 'latest.pth'),
                '--eval', 'bbox')
    for rank in (0, 1):
        assert f'mmlsts.dist: rank {rank} of 2: no CUDA' in out
    found = re.findall(r"'bbox_mAP_50': ([0-9.]+)", out)
    assert found and 0.0 <= float(found[-1]) <= 1.0, out[-3000:]
