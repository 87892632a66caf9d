"""The LSTS method in plain PyTorch (no mm imports), easy to read, test and port.

- :func:`lsts_aggregate` / :class:`LSTS`: learnable spatio-temporal sampling.
- :class:`QualityNet`, :class:`Low2High`: the fusion and low-to-high networks.
- :class:`SRFU`, :class:`DFA`: keyframe memory update and non-keyframe aggregation.
"""
from .dfa import DFA
from .low2high import Low2High
from .lsts import LSTS, init_offsets
from .lsts_aggregate import lsts_aggregate
from .quality import QualityNet
from .srfu import SRFU

__all__ = ['lsts_aggregate', 'LSTS', 'init_offsets', 'QualityNet', 'Low2High', 'SRFU', 'DFA']
