"""``LSTSVIDDataset``: ImageNet VID with the reference frames LSTS trains and tests with.

A subclass of MMTracking's ``ImagenetVIDDataset`` that adds two ``ref_img_sampler`` methods:

- ``'lsts_triple'`` (training, as the official code samples): for an annotated frame t of a video
  with L frames, an old key in t-10..t-6 and a new key in t-5..t+4 (the official
  ``np.random.randint(-10, -5)`` and ``randint(-5, 5)``; ``old_range`` / ``new_range`` here are
  inclusive bounds), both clipped to [0, L - 1]. The refs
  come out sorted by frame, so ref 0 is the old key and ref 1 the new one. Still images (DET)
  get two copies of themselves and train the plain single-frame path.
- ``'lsts_keyframe'`` (testing): the keyframe schedule, set here and nowhere else
  (``key_frame_interval``, default 10; ``key_frame_position``, ``'middle'`` as the official
  tester or ``'start'``, see :mod:`mmlsts.keyframes`). At the first frame of each segment the
  segment's keyframe is loaded as the one reference image (the frame itself for ``'start'``);
  other frames load none. The detector keeps the keyframe's memory until the next segment.

Every sample also carries ``video_id`` so the detector can reset its memory when a video ends.

``evaluate`` adds ``metric='motion'`` (``--eval bbox motion``): FGFA's mAP on slow, medium and
fast objects, with the motion IoU computed from the annotation file
(:mod:`mmlsts.evaluation.motion`), for the results of any VID method or single-frame detector.
"""
from __future__ import annotations

from mmcv.utils import print_log
from mmdet.datasets import DATASETS
from mmtrack.datasets import ImagenetVIDDataset

from mmlsts.evaluation import frame_results, motion_iou, motion_table, vid_eval_motion
from mmlsts.keyframes import KeyframeSchedule, lsts_triple_frames

__all__ = ['LSTSVIDDataset']


@DATASETS.register_module()
class LSTSVIDDataset(ImagenetVIDDataset):
    """ImageNet VID (and DET 30-class) dataset with LSTS's reference-frame sampling."""

    def evaluate(self, results, metric='bbox', logger=None, **kwargs) -> dict:
        """MMTracking's evaluation plus ``'motion'``: ``motion_mAP_{all,slow,medium,fast}``.

        ``results`` is MMTracking's ``{'det_bboxes': ...}`` or mmdet's per-image list (a
        ``USE_MMDET`` config); the other metrics and keyword arguments go to MMTracking's
        ``CocoVideoDataset.evaluate`` unchanged. The motion table is logged with ``logger``.
        """
        metrics = [metric] if isinstance(metric, str) else list(metric)
        others = [m for m in metrics if m != 'motion']
        if 'motion' in metrics:  # a wrong length is an error before any metric runs
            frame_results(results, len(self.data_infos))
        eval_results = {}
        if others:
            eval_results.update(super().evaluate(results, metric=others, logger=logger, **kwargs))
        if 'motion' in metrics:
            if getattr(self, '_motion_ious', None) is None:  # once per dataset object
                self._motion_ious = motion_iou(self.coco.dataset)[1]
            motion = vid_eval_motion(results, self.coco.dataset,
                                     img_ids=[info['id'] for info in self.data_infos],
                                     cat_ids=self.cat_ids, motion_ious=self._motion_ious)
            print_log('\nmAP by motion speed (FGFA protocol, motion IoU from '
                      f'{self.ann_file}):\n' + motion_table(motion), logger=logger)
            eval_results.update(motion)
        return eval_results

    def ref_img_sampling(self, img_info: dict, method: str = 'uniform', **kwargs) -> list[dict]:
        if method == 'lsts_triple':
            return self._sample_triple(img_info, **kwargs)
        if method == 'lsts_keyframe':
            return self._sample_keyframe(img_info, **kwargs)
        return super().ref_img_sampling(img_info, method=method, **kwargs)

    def prepare_results(self, img_info: dict) -> dict:
        results = super().prepare_results(img_info)
        results['video_id'] = img_info.get('video_id', -1)
        return results

    def _video_frames(self, img_info: dict) -> list[int] | None:
        if not self.load_as_video or img_info.get('frame_id', -1) < 0:
            return None
        return self.coco.get_img_ids_from_vid(img_info['video_id'])

    def _load_info(self, img_id: int) -> dict:
        info = self.coco.load_imgs([img_id])[0]
        info['filename'] = info['file_name']
        return info

    def _sample_triple(self, img_info: dict, old_range=(-10, -6), new_range=(-5, 4),
                       **_ignored) -> list[dict]:
        img_ids = self._video_frames(img_info)
        if img_ids is None:  # a still image: the plain single-frame path
            return [img_info, img_info.copy(), img_info.copy()]
        old, new = lsts_triple_frames(img_info['frame_id'], len(img_ids), tuple(old_range),
                                      tuple(new_range))
        return [img_info, self._load_info(img_ids[old]), self._load_info(img_ids[new])]

    def _sample_keyframe(self, img_info: dict, key_frame_interval: int = 10,
                         key_frame_position: str = 'middle', **_ignored) -> list[dict]:
        try:
            schedule = KeyframeSchedule(key_frame_interval, key_frame_position)
        except ValueError as err:
            raise ValueError(f'LSTSVIDDataset: ref_img_sampler: {err}') from None
        img_ids = self._video_frames(img_info)
        if img_ids is None or not schedule.starts_segment(img_info['frame_id']):
            return [img_info]
        key = schedule.key_frame_id(img_info['frame_id'], len(img_ids))
        return [img_info, self._load_info(img_ids[key])]
