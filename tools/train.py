"""Train a video detector: MMTracking's own tools/train.py with mmlsts registered.

    python tools/train.py configs/vid/lsts_r101.py [--work-dir DIR] [--resume-from CKPT] ...

Every option of MMTracking's train tool works (see ``--help``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _mmtrack_tool import run_mmtrack_tool  # noqa: E402

if __name__ == '__main__':
    run_mmtrack_tool('train.py')
