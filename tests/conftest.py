"""Shared fixtures: tiny generated ILSVRC sets laid out where the tiny configs look for them."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import mmlsts
from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid

# Two suites: tests/mmtrack1 for the MMTracking 1.x adapter, run in that generation's
# environment (tools/run_tests.sh runs both); everything else for MMTracking 0.x.
collect_ignore = ['mmtrack1'] if mmlsts.GENERATION == 0 else []

DATA_ROOT = Path('data', 'synthetic_vid', 'ILSVRC')  # the tiny configs' data_root


@pytest.fixture(scope='session')
def make_workspace(tmp_path_factory) -> Callable[..., Path]:
    """A function that makes a cwd holding ``data/synthetic_vid/ILSVRC`` (generated with
    ``make_synthetic_vid``'s keyword arguments, converted) and returns that cwd.

    The defaults are the smallest set every tool runs on: one 10-frame train and val video,
    two DET stills, 64 x 80 pixels. ``splits`` limits the conversion (e.g. ``('val',)``).
    """
    def make(name: str, seed: int, splits: tuple[str, ...] | None = None, **kwargs) -> Path:
        root = tmp_path_factory.mktemp(name)
        ilsvrc = root / DATA_ROOT
        options = dict(num_train_videos=1, num_val_videos=1, frames_per_video=10,
                       num_det_images=2, image_size=(64, 80))
        make_synthetic_vid(str(ilsvrc), seed=seed, **{**options, **kwargs})
        convert = dict(splits=splits) if splits else {}
        convert_ilsvrc(str(ilsvrc), str(ilsvrc / 'annotations'), progress=False, **convert)
        return root
    return make
