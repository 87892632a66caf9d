"""Registers :class:`mmlsts.ops.SRFU` and :class:`mmlsts.ops.DFA` as MMTracking 1.x models
'SRFU' and 'DFA' (built with ``MODELS.build(dict(type='SRFU', ...))``)."""
from mmtrack.registry import MODELS

from mmlsts.ops import DFA, SRFU

MODELS.register_module(module=SRFU)
MODELS.register_module(module=DFA)
