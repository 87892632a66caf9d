"""Registers :class:`mmlsts.ops.SRFU` (keyframe memory update) as MMTracking aggregator 'SRFU'."""
from mmtrack.models import AGGREGATORS

from mmlsts.ops import SRFU

AGGREGATORS.register_module(module=SRFU)
