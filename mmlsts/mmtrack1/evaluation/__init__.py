"""FGFA's mAP by motion speed as an MMTracking 1.x metric."""
from .motion_metric import MotionMetric

__all__ = ['MotionMetric']
