"""Run one of MMTracking's own bundled tools (mmtrack/.mim/tools/...) with mmlsts registered.

Our ``tools/train.py`` and ``tools/test.py`` are this, nothing more: the training and testing
logic stays MMTracking's. Configs also carry ``custom_imports = dict(imports=['mmlsts'])``, so
MMTracking's tools work on them directly too.
"""
from __future__ import annotations

import os.path as osp
import runpy
import sys


def run_mmtrack_tool(relative_path: str) -> None:
    """Execute ``mmtrack/.mim/tools/<relative_path>`` as ``__main__`` with the current argv."""
    import mmtrack

    import mmlsts  # noqa: F401  (registers LSTS, SRFU, DFA, LSTSVIDDataset; applies fixes)
    from mmlsts.dist import launcher_from_argv, setup_launcher

    # --launcher pytorch (tools/dist_*.sh): one DDP fix; without CUDA, CPU processes on gloo.
    setup_launcher(launcher_from_argv(sys.argv[1:]))

    tool = osp.join(osp.dirname(mmtrack.__file__), '.mim', 'tools', relative_path)
    if not osp.isfile(tool):
        raise SystemExit(f'MMTracking tool {relative_path} not found at {tool}: is mmtrack 0.14.0 '
                         'installed (tools/setup_env.sh)?')
    sys.argv[0] = tool
    runpy.run_path(tool, run_name='__main__')
