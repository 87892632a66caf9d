"""Datasets: LSTS's ImageNet VID dataset, the ILSVRC converter and a synthetic ILSVRC-layout set."""
from .ilsvrc_converter import convert_ilsvrc
from .lsts_vid_dataset import LSTSVIDDataset, lsts_triple_frames
from .synthetic import make_synthetic_vid

__all__ = [
    'LSTSVIDDataset', 'lsts_triple_frames', 'convert_ilsvrc',
    'make_synthetic_vid'
]
