"""Which frames LSTS takes as keyframes: the one rule, asked by datasets, models and apis of
either MMTracking generation.

In training, a sample at frame t takes an old and a new key near it (:func:`lsts_triple_frames`).
In testing, a keyframe is a frame whose own image runs the whole backbone. LSTS splits a video
into segments of ``interval`` frames, each detected on one keyframe's memory:

- ``'middle'`` (the official tester, offline): frames 10i..10i+9 use keyframe 10i+4 (interval
  10), clipped to the video's last frame, so a segment's first frames wait for a frame ahead;
- ``'start'`` (online, causal): the segment's first frame, ``frame_id % interval == 0``, as
  MMTracking's DFF keys its frames.

For LSTS the schedule is set in one place, the test set's reference sampler
(``ref_img_sampler=dict(method='lsts_keyframe', key_frame_interval=10,
key_frame_position='middle')`` of ``LSTSVIDDataset``), which loads each segment's keyframe at the
segment's first frame; the detector follows the references it is given. MMTracking's DFF keeps
its interval in ``model.test_cfg.key_frame_interval``. :func:`keyframe_schedule` reads either
from a config. Plain Python: importable by models and datasets alike.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ['KEY_FRAME_POSITIONS', 'KeyframeSchedule', 'keyframe_schedule', 'lsts_triple_frames']

KEY_FRAME_POSITIONS = ('middle', 'start')


@dataclass(frozen=True)
class KeyframeSchedule:
    """Segments of ``interval`` frames, each keyed at its ``'middle'`` or ``'start'`` frame."""

    interval: int = 10
    position: str = 'middle'

    def __post_init__(self) -> None:
        if not isinstance(self.interval, int) or self.interval < 1:
            raise ValueError(f'key_frame_interval must be an integer >= 1, got {self.interval!r}')
        if self.position not in KEY_FRAME_POSITIONS:
            raise ValueError(f'key_frame_position must be one of {KEY_FRAME_POSITIONS}, got '
                             f'{self.position!r}')

    def starts_segment(self, frame_id: int) -> bool:
        """Whether ``frame_id`` is a segment's first frame (where its keyframe is loaded)."""
        return frame_id % self.interval == 0

    def key_frame_id(self, frame_id: int, num_frames: int | None = None) -> int:
        """The keyframe whose memory frame ``frame_id`` is detected on.

        ``'middle'`` clips the last segment's keyframe to the video's last frame, so it needs
        ``num_frames`` (the video's length); ``'start'`` does not.
        """
        start = frame_id - frame_id % self.interval
        if self.position == 'start':
            return start
        if num_frames is None:
            raise ValueError("KeyframeSchedule: position 'middle' needs num_frames (the last "
                             "segment's keyframe is clipped to the video's last frame)")
        return min(start + (self.interval - 1) // 2, num_frames - 1)

    def is_key_frame(self, frame_id: int, num_frames: int | None = None) -> bool:
        """Whether frame ``frame_id`` runs the whole backbone."""
        return self.key_frame_id(frame_id, num_frames) == frame_id


def keyframe_schedule(cfg) -> KeyframeSchedule | None:
    """The keyframes of a config's test procedure: LSTS's test sampler, DFF's
    ``test_cfg.key_frame_interval`` (keyed at the start), or None (FGFA, SELSA, single-frame
    detectors run the whole backbone on every frame)."""
    sampler = (cfg.get('data', {}).get('test', {}) or {}).get('ref_img_sampler') or {}
    if sampler.get('method') == 'lsts_keyframe':
        return KeyframeSchedule(int(sampler.get('key_frame_interval', 10)),
                                sampler.get('key_frame_position', 'middle'))
    interval = ((cfg.get('model', {}) or {}).get('test_cfg') or {}).get('key_frame_interval')
    if interval and not cfg.get('USE_MMDET', False):
        return KeyframeSchedule(int(interval), 'start')
    return None


def lsts_triple_frames(frame_id: int, num_frames: int, old_range: tuple[int, int] = (-10, -6),
                       new_range: tuple[int, int] = (-5, 4), rng: random.Random | None = None
                       ) -> tuple[int, int]:
    """Frame indices (old key, new key) for a training sample at ``frame_id`` of a
    ``num_frames``-frame video, as the official code samples: ``frame_id`` plus a random offset
    in ``old_range`` / ``new_range`` (inclusive bounds), clipped to the video."""
    rng = rng or random
    clip = lambda f: min(max(f, 0), num_frames - 1)  # noqa: E731
    old = clip(frame_id + rng.randint(*old_range))
    new = clip(frame_id + rng.randint(*new_range))
    return old, new
