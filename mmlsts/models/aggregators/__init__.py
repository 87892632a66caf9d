"""SRFU and DFA in MMTracking's aggregator registry (the modules live in mmlsts.ops)."""
from .dfa import DFA
from .srfu import SRFU

__all__ = ['SRFU', 'DFA']
