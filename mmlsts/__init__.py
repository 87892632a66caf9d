"""mmlsts: LSTS video object detection as an MMTracking plugin, for both MMTracking generations.

``import mmlsts`` (or ``custom_imports = dict(imports=['mmlsts'])`` in a config) finds the
installed generation, applies its compatibility fixes (:mod:`mmlsts.compat`) and registers the
plugin's components in that generation's registries: the ``LSTS`` video detector, the ``SRFU``
and ``DFA`` aggregators and ``LSTSVIDDataset``.

- MMTracking 0.x (mmcv-full 1.7, mmdet 2): :mod:`mmlsts.models`, :mod:`mmlsts.datasets`,
  :mod:`mmlsts.apis`;
- MMTracking 1.x (mmengine, mmcv 2, mmdet 3): :mod:`mmlsts.mmtrack1`.

The method itself lives in :mod:`mmlsts.ops` (plain PyTorch), the detector's generation-free
half in :mod:`mmlsts.video_detector` and the keyframe rule in :mod:`mmlsts.keyframes`.
"""
from . import compat
from .version import __version__

GENERATION = compat.apply()

if GENERATION == 0:
    from . import models  # noqa: E402,F401
    from .datasets import lsts_vid_dataset  # noqa: E402,F401
else:
    from . import mmtrack1  # noqa: E402,F401

__all__ = ['GENERATION', '__version__', 'compat']
