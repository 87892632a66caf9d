"""MMTracking components of mmlsts, laid out as in MMTracking: ``vid`` and ``aggregators``."""
from .aggregators import DFA, SRFU
from .vid import LSTS

__all__ = ['LSTS', 'SRFU', 'DFA']
