"""Datasets: the ILSVRC converter and the synthetic ILSVRC-layout set (plain Python, either
generation), and LSTS's ImageNet VID dataset for MMTracking 0.x (``LSTSVIDDataset``, imported
on first use; ``import mmlsts`` registers it when that generation is installed). The MMTracking
1.x dataset is :mod:`mmlsts.mmtrack1.datasets`."""
from .ilsvrc_converter import convert_ilsvrc
from .synthetic import make_synthetic_vid

__all__ = ['LSTSVIDDataset', 'convert_ilsvrc', 'make_synthetic_vid']


def __getattr__(name: str):
    if name == 'LSTSVIDDataset':
        from .lsts_vid_dataset import LSTSVIDDataset
        return LSTSVIDDataset
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
