"""The lab's tests: the lab's package on the path, and the package's tiny-set fixture."""
import os.path as osp
import sys

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path[:0] = [LAB, osp.dirname(osp.dirname(LAB))]  # synthetic_benchmark, and tests.conftest

from tests.conftest import make_workspace  # noqa: E402, F401
