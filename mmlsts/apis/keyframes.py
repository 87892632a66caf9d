"""Which test frames of a video detector are keyframes: asked of the model, never re-derived.

A keyframe is a frame whose own image runs the whole backbone. LSTS answers itself
(:meth:`mmlsts.models.vid.lsts.LSTS.is_key_frame`); MMTracking's DFF-like models (a
``test_cfg.key_frame_interval``) key every ``interval``-th frame, as their ``simple_test`` does;
FGFA, SELSA and single-frame detectors run the full backbone on every frame and have none.
"""
from __future__ import annotations

__all__ = ['has_keyframes', 'is_key_frame']


def has_keyframes(model) -> bool:
    """Whether ``model`` skips the full backbone on some frames (LSTS, DFF)."""
    return hasattr(model, 'is_key_frame') or 'key_frame_interval' in _test_cfg(model)


def is_key_frame(model, frame_id: int, num_frames: int | None = None) -> bool:
    """Whether test frame ``frame_id`` (of a video of ``num_frames``) is a keyframe of ``model``."""
    if hasattr(model, 'is_key_frame'):
        return model.is_key_frame(frame_id, num_frames)
    interval = _test_cfg(model).get('key_frame_interval')
    return bool(interval) and frame_id % int(interval) == 0


def _test_cfg(model) -> dict:
    return dict(getattr(model, 'test_cfg', None) or {})
