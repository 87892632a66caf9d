"""``MotionMetric``: FGFA's mAP on slow, medium and fast objects as an MMTracking 1.x metric.

The MMTracking 0.x dataset's ``--eval motion`` (:mod:`mmlsts.evaluation.motion`) for the
mmengine generation, where evaluation is the config's ``test_evaluator``: list it beside
MMTracking's ``CocoVideoMetric``,

    test_evaluator = [
        dict(type='CocoVideoMetric', ann_file=..., metric='bbox'),
        dict(type='MotionMetric', ann_file=...)]

and the test log and JSON gain ``motion_mAP_all``, ``motion_mAP_slow``, ``motion_mAP_medium`` and
``motion_mAP_fast`` (fractions; NaN for a group without ground truth), computed by
:func:`mmlsts.evaluation.vid_eval_motion` from the detections of every test frame, with the
motion IoU taken from ``ann_file``. Works for the results of any VID method.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmtrack.registry import METRICS

from mmlsts.evaluation import load_coco_vid, motion_iou, motion_table, vid_eval_motion

__all__ = ['MotionMetric']


@METRICS.register_module()
class MotionMetric(BaseMetric):
    """mAP by motion speed of the test frames' ``pred_det_instances``.

    Args:
        ann_file: the CocoVID annotations of the test set (its ``images`` hold the frames).
        collect_device, prefix: as mmengine's ``BaseMetric`` (no prefix by default).
    """

    default_prefix = None

    def __init__(self, ann_file: str, collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self._ann = None
        self._motion_ious = None

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        num_classes = len(self.dataset_meta['CLASSES'])
        for sample in data_samples:
            pred = sample['pred_det_instances']
            boxes = pred['bboxes'].cpu().numpy()
            scores = pred['scores'].cpu().numpy()
            labels = pred['labels'].cpu().numpy()
            per_class = [np.hstack([boxes[labels == c], scores[labels == c, None]])
                         .astype(np.float32) for c in range(num_classes)]
            self.results.append((sample['img_id'], per_class))

    def compute_metrics(self, results: list) -> dict[str, float]:
        if self._ann is None:
            self._ann = load_coco_vid(self.ann_file)
            self._motion_ious = motion_iou(self._ann)[1]
        names = {c['name']: c['id'] for c in self._ann['categories']}
        missing = [n for n in self.dataset_meta['CLASSES'] if n not in names]
        if missing:
            raise KeyError(f'MotionMetric: classes {missing} of the test set are not categories '
                           f'of {self.ann_file}')
        motion = vid_eval_motion(
            [per_class for _, per_class in results], self._ann,
            img_ids=[img_id for img_id, _ in results],
            cat_ids=[names[n] for n in self.dataset_meta['CLASSES']],
            motion_ious=self._motion_ious)
        print_log('\nmAP by motion speed (FGFA protocol, motion IoU from '
                  f'{self.ann_file}):\n' + motion_table(motion), logger='current')
        return motion
