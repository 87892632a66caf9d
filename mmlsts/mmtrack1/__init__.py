"""mmlsts on MMTracking 1.x (mmengine, mmcv 2, mmdet 3): the second adapter over the same ops.

``import mmlsts`` imports this package when MMTracking 1.x is installed (:mod:`mmlsts.compat`
tells the generations apart) and it registers, in ``mmtrack.registry``:

- ``LSTS`` (:class:`.models.LSTS`), the video detector, and the ``SRFU`` / ``DFA`` aggregators
  of :mod:`mmlsts.ops`, in ``MODELS``;
- ``LSTSVIDDataset`` (:class:`.datasets.LSTSVIDDataset`), ImageNet VID with LSTS's reference
  samplers ``'lsts_triple'`` and ``'lsts_keyframe'``, in ``DATASETS``;
- ``MotionMetric`` (:class:`.evaluation.MotionMetric`), FGFA's mAP by motion speed, in
  ``METRICS``.

Configs: ``configs/mmtrack1/``; MMTracking 1.x's own ``tools/train.py`` / ``tools/test.py``
train and test them beside its DFF, FGFA and SELSA (docs/install.md, "MMTracking 1.x").
"""
from . import datasets, evaluation, models

__all__ = ['datasets', 'evaluation', 'models']
