"""LSTS's ImageNet VID dataset in MMTracking 1.x's dataset registry."""
from .lsts_vid_dataset import LSTSVIDDataset

__all__ = ['LSTSVIDDataset']
