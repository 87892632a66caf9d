"""The benchmark set: options of :func:`mmlsts.datasets.make_synthetic_vid` under which temporal
context is measurable (SELSA gains over a single frame, README.md).

24 val videos x 48 frames; episodes of heavy hardships (diagonal blur, 70-90 % occlusion,
defocus, blotchy noise) of 3-6 consecutive frames on over a third of the frames, with clean
neighbours; slow, medium and fast objects in equal shares; twin classes that differ only in the
orientation of 4 coarse bands, which an object loses in the frames of an episode that hits it;
train data in proportion.
"""
from __future__ import annotations

from typing import Any

__all__ = ['BENCHMARK', 'PRESETS']

BENCHMARK: dict[str, Any] = dict(
    num_train_videos=48, num_val_videos=24, frames_per_video=48, num_det_images=120,
    num_classes=8, max_objects=2, hardship_runs=4, motion_mix=(1.0, 1.0, 1.0), twin_classes=True)
# Sets by name: 'quickstart' is the generator's defaults (the quick-start set: fast, for checks of
# the tooling), 'benchmark' the set every reported number is measured on.
PRESETS: dict[str, dict[str, Any]] = {'quickstart': {}, 'benchmark': BENCHMARK}
