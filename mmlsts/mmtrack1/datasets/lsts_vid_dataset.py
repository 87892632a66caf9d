"""``LSTSVIDDataset`` for MMTracking 1.x: ImageNet VID with LSTS's reference frames.

A subclass of MMTracking 1.x's ``ImagenetVIDDataset`` with the two ``ref_img_sampler`` methods
of the 0.x dataset (``mmlsts.datasets.LSTSVIDDataset``), from the same rules
(:mod:`mmlsts.keyframes`), so both generations load the same frames:

- ``'lsts_triple'`` (training): for an annotated frame t, an old key in t + ``old_range`` and a
  new key in t + ``new_range`` (inclusive, clipped to the video), sorted by frame: reference 0 is
  the old key, reference 1 the new one. Still images (DET) get two copies of themselves.
- ``'lsts_keyframe'`` (testing): the keyframe schedule (``key_frame_interval``, default 10;
  ``key_frame_position``, ``'middle'`` or ``'start'``). The first frame of each segment loads the
  segment's keyframe as its one reference image; other frames load none.

Any other method goes to MMTracking's sampler unchanged.
"""
from __future__ import annotations

from mmtrack.datasets import ImagenetVIDDataset
from mmtrack.registry import DATASETS

from mmlsts.keyframes import KeyframeSchedule, lsts_triple_frames

__all__ = ['LSTSVIDDataset']


@DATASETS.register_module()
class LSTSVIDDataset(ImagenetVIDDataset):
    """ImageNet VID (and DET 30-class) dataset with LSTS's reference-frame sampling."""

    def ref_img_sampling(self, idx: int, data_info: dict, method: str = 'uniform',
                         **kwargs) -> list[dict]:
        if method == 'lsts_triple':
            return self._sample_triple(idx, data_info, **kwargs)
        if method == 'lsts_keyframe':
            return self._sample_keyframe(idx, data_info, **kwargs)
        return super().ref_img_sampling(idx, data_info, method=method, **kwargs)

    def _is_video_frame(self, data_info: dict) -> bool:
        return self.load_as_video and data_info.get('frame_id', -1) >= 0

    def _frame_info(self, idx: int, data_info: dict, frame_id: int) -> dict:
        """Frame ``frame_id`` of ``data_info``'s video, with every key ``data_info`` has."""
        offset = frame_id - data_info['frame_id']
        info = self._get_ori_data_info(self.valid_data_indices[idx] + offset)
        for key, value in data_info.items():
            info.setdefault(key, value)
        return info

    def _sample_triple(self, idx: int, data_info: dict, old_range=(-10, -6), new_range=(-5, 4),
                       **_ignored) -> list[dict]:
        if not self._is_video_frame(data_info):  # a still image: the plain single-frame path
            return [data_info, data_info.copy(), data_info.copy()]
        old, new = lsts_triple_frames(data_info['frame_id'], data_info['video_length'],
                                      tuple(old_range), tuple(new_range))
        return [data_info, self._frame_info(idx, data_info, old),
                self._frame_info(idx, data_info, new)]

    def _sample_keyframe(self, idx: int, data_info: dict, key_frame_interval: int = 10,
                         key_frame_position: str = 'middle', **_ignored) -> list[dict]:
        try:
            schedule = KeyframeSchedule(key_frame_interval, key_frame_position)
        except ValueError as err:
            raise ValueError(f'LSTSVIDDataset: ref_img_sampler: {err}') from None
        if not self._is_video_frame(data_info) or \
                not schedule.starts_segment(data_info['frame_id']):
            return [data_info]
        key = schedule.key_frame_id(data_info['frame_id'], data_info['video_length'])
        return [data_info, self._frame_info(idx, data_info, key)]
