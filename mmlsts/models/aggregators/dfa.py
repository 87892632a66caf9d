"""Registers :class:`mmlsts.ops.DFA` (non-keyframe aggregation) as MMTracking aggregator 'DFA'."""
from mmtrack.models import AGGREGATORS

from mmlsts.ops import DFA

AGGREGATORS.register_module(module=DFA)
