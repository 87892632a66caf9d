"""The LSTS method in plain PyTorch (no mm imports), easy to read, test and port.

- :func:`lsts_aggregate` / :class:`LSTSAggregate`: learnable spatio-temporal sampling.
- :class:`QualityNet`, :class:`Low2High`: the fusion and low-to-high networks.
- :class:`SRFU`, :class:`DFA`: keyframe memory update and non-keyframe aggregation.
"""
from .dfa import DFA, DFAParts
from .low2high import Low2High
from .lsts_aggregate import LSTSAggregate, init_offsets, lsts_aggregate
from .quality import QualityNet
from .srfu import SRFU

__all__ = ['lsts_aggregate', 'LSTSAggregate', 'init_offsets', 'QualityNet', 'Low2High', 'SRFU',
           'DFA', 'DFAParts']
