"""Test a video detector: MMTracking's own tools/test.py with mmlsts registered.

    python tools/test.py configs/vid/lsts_r101.py --checkpoint CKPT --eval bbox

Every option of MMTracking's test tool works (see ``--help``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _mmtrack_tool import run_mmtrack_tool  # noqa: E402

if __name__ == '__main__':
    run_mmtrack_tool('test.py')
