"""Run one of MMTracking's own bundled tools (mmtrack/.mim/tools/...) with mmlsts registered.

Our ``tools/train.py`` and ``tools/test.py`` are this, nothing more: the training and testing
logic stays MMTracking's, of whichever generation is installed (``configs/`` for 0.x,
``configs/mmtrack1/`` for 1.x). Configs also carry ``custom_imports = dict(imports=['mmlsts'])``,
so MMTracking's tools work on them directly too. What this adds to MMTracking's tools:

- on MMTracking 0.x, the CPU/gloo launcher of :mod:`mmlsts.dist` for ``--launcher pytorch``
  without CUDA;
- the command lines that launchers of today write: ``--local-rank=N`` (``torch.distributed.launch``
  of torch >= 2.0, which ``mim train/test --launcher pytorch`` and MMTracking's own
  ``dist_train.sh`` use) is MMTracking's ``--local_rank``; and for the test tool a checkpoint
  given right after the config (``mim test mmlsts CONFIG --checkpoint CKPT`` passes it that way,
  as for mmdet) is ``--checkpoint CKPT``.
"""
from __future__ import annotations

import os.path as osp
import runpy
import sys


def mmtrack_argv(relative_path: str, argv: list[str]) -> list[str]:
    """``argv`` (without the program name) as MMTracking's tool ``relative_path`` parses it."""
    args = ['--local_rank' + arg[len('--local-rank'):] if arg.split('=')[0] == '--local-rank'
            else arg for arg in argv]
    if (relative_path == 'test.py' and len(args) >= 2 and not args[1].startswith('-')
            and '--checkpoint' not in args
            and not any(a.startswith('--checkpoint=') for a in args)):
        args[1:2] = ['--checkpoint', args[1]]
    return args


def run_mmtrack_tool(relative_path: str) -> None:
    """Execute ``mmtrack/.mim/tools/<relative_path>`` as ``__main__`` with the current argv."""
    import mmtrack

    import mmlsts  # registers LSTS, SRFU, DFA, LSTSVIDDataset; applies fixes

    args = mmtrack_argv(relative_path, sys.argv[1:])
    if mmlsts.GENERATION == 0:
        # --launcher pytorch (tools/dist_*.sh) without CUDA: CPU processes on gloo (mmengine
        # takes the backend from the config's env_cfg itself).
        from mmlsts.dist import launcher_from_argv, setup_launcher
        setup_launcher(launcher_from_argv(args))

    tool = osp.join(osp.dirname(mmtrack.__file__), '.mim', 'tools', relative_path)
    if not osp.isfile(tool):
        raise SystemExit(f'MMTracking tool {relative_path} not found at {tool}: is mmtrack '
                         'installed as tools/setup_env.sh installs it?')
    sys.argv[:] = [tool, *args]
    runpy.run_path(tool, run_name='__main__')
