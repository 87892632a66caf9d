"""The LSTS video detector and its aggregators in MMTracking 1.x's model registry."""
from . import aggregators
from .lsts import LSTS

__all__ = ['LSTS', 'aggregators']
