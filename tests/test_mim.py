"""OpenMMLab's mim runs mmlsts as it runs any OpenMMLab package.

``mim train mmlsts CONFIG`` runs ``<package>/.mim/tools/train.py`` and finds CONFIG by name under
``<package>/.mim/configs``; ``mim test`` likewise, passing the checkpoint after the config.
setup.py puts configs and tools there: copies in a wheel, links into the source tree in an
editable install. The wheel is built from a copy of the sources and installed with
``--target`` into a folder put first on PYTHONPATH, as ``pip install`` would install it; both
commands then run on a tiny generated set.
"""
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import mmcv
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SOURCES = ('mmlsts', 'configs', 'tools', 'requirements', 'setup.py', 'setup.cfg',
           'pyproject.toml', 'MANIFEST.in', 'README.md', 'model-index.yml')
TRAIN_FRAMES, DET_IMAGES, VAL_FRAMES = 10, 2, 10


def _run(cmd, cwd, env_extra=None, timeout=600):
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1', **(env_extra or {}))
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return log


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """mmlsts built as a wheel from a copy of the sources, installed into a --target folder."""
    root = tmp_path_factory.mktemp('mim')
    src = root / 'src'
    src.mkdir()
    for name in SOURCES:
        path = osp.join(REPO, name)
        if osp.isdir(path):
            shutil.copytree(path, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns('__pycache__', '*.pyc', '.mim'))
        else:
            shutil.copy2(path, src / name)
    _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q',
          '-w', str(root / 'wheels'), str(src)], cwd=root)
    (wheel,) = (root / 'wheels').glob('mmlsts-*.whl')
    site = root / 'site'
    _run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-index', '-q', '--target',
          str(site), str(wheel)], cwd=root)
    return wheel, site


@pytest.fixture(scope='module')
def workspace(make_workspace):
    """A cwd holding data/synthetic_vid/ILSVRC (the tiny config's data_root) and nothing else."""
    return make_workspace('mim_ws', seed=5, frames_per_video=TRAIN_FRAMES,
                          num_det_images=DET_IMAGES)


@pytest.mark.slow
def test_wheel_ships_configs_tools_and_model_index_in_mim(installed):
    wheel, site = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in ('configs/vid/lsts_tiny_synthetic.py', 'configs/_base_/default_runtime.py',
                 'tools/train.py', 'tools/test.py', 'tools/_mmtrack_tool.py',
                 'tools/dist_train.sh', 'tools/slurm_train.sh', 'model-index.yml'):
        assert f'mmlsts/.mim/{part}' in names, part
    assert not any('__pycache__' in n for n in names)
    # Copies, not links (a wheel cannot hold links).
    assert not osp.islink(site / 'mmlsts' / '.mim' / 'tools')


def test_editable_install_links_mim_into_the_source_tree():
    """tools/setup_env.sh installs mmlsts editable: .mim points at the repository's folders."""
    for part in ('configs', 'tools', 'model-index.yml'):
        link = osp.join(REPO, 'mmlsts', '.mim', part)
        assert osp.islink(link), link
        assert osp.realpath(link) == osp.realpath(osp.join(REPO, part))


def test_mim_finds_an_editable_checkout_on_pythonpath(tmp_path):
    """mim looks for <location>/mmlsts, and pip records an editable install's location as
    site-packages; with the checkout first on PYTHONPATH, mim finds the checkout."""
    code = 'from mim.utils import get_installed_path; print(get_installed_path("mmlsts"))'
    log = _run([sys.executable, '-c', code], cwd=tmp_path, env_extra=dict(PYTHONPATH=REPO))
    assert osp.realpath(log.strip().splitlines()[-1]) == osp.realpath(osp.join(REPO, 'mmlsts'))


@pytest.mark.slow
def test_mim_train_then_mim_test_on_the_synthetic_set(installed, workspace):
    _, site = installed
    env = dict(PYTHONPATH=str(site))
    work_dir = workspace / 'work_dirs' / 'mim'
    # The config by its repository path, which does not exist in this cwd: mim finds it by name
    # in the installed package.
    log = _run([sys.executable, '-m', 'mim', 'train', 'mmlsts',
                'configs/vid/lsts_tiny_synthetic.py', '--work-dir', str(work_dir), '--seed', '0',
                '--cfg-options', 'total_epochs=1',
                'checkpoint_config.interval=1', 'evaluation.interval=100',
                'log_config.interval=1'], cwd=workspace, env_extra=env)
    mim_config = osp.realpath(
        osp.join(str(site), 'mmlsts', '.mim', 'configs', 'vid', 'lsts_tiny_synthetic.py'))
    assert f'will use {mim_config} instead' in log
    assert osp.join(str(site), 'mmlsts', '.mim', 'tools', 'train.py') in log
    per_epoch = TRAIN_FRAMES + DET_IMAGES
    assert f'Epoch [1][{per_epoch}/{per_epoch}]' in log, log[-3000:]
    checkpoint = work_dir / 'latest.pth'
    assert checkpoint.exists()

    # mim hands the checkpoint over positionally; tools/test.py passes it on as --checkpoint.
    results = workspace / 'results.pkl'
    out = _run([sys.executable, '-m', 'mim', 'test', 'mmlsts', 'lsts_tiny_synthetic.py',
                '--checkpoint', str(checkpoint), '--eval', 'bbox', '--out', str(results)],
               cwd=workspace, env_extra=env)
    assert f'{mim_config} {checkpoint} --launcher none --eval bbox' in out
    assert 'Evaluating bbox...' in out and 'Testing finished successfully' in out
    # One epoch from scratch may detect nothing yet (then the evaluation prints {}): what is
    # checked is that every val frame went through the model and into the evaluation.
    detections = mmcv.load(str(results))['det_bboxes']
    assert len(detections) == VAL_FRAMES and all(len(frame) == 30 for frame in detections)
