"""mmlsts: LSTS video object detection as an MMTracking plugin.

``import mmlsts`` (or ``custom_imports = dict(imports=['mmlsts'])`` in a config) applies the
stack's compatibility fixes (:mod:`mmlsts.compat`) and registers the plugin's components:
the ``LSTS`` video detector, the ``SRFU`` and ``DFA`` aggregators and ``LSTSVIDDataset``.
The method itself lives in :mod:`mmlsts.ops`, in plain PyTorch.
"""
from . import compat

compat.apply()

from . import datasets, models  # noqa: E402  (registration needs the fixes first)
from .version import __version__  # noqa: E402

__all__ = ['__version__', 'compat', 'datasets', 'models']
