"""Evaluation beyond MMTracking's: FGFA's mAP on slow, medium and fast objects (motion IoU)."""
from .motion import (
    MOTION_GROUPS,
    frame_results,
    load_coco_vid,
    motion_group_shares,
    motion_iou,
    motion_table,
    vid_eval_motion,
)

__all__ = [
    'MOTION_GROUPS', 'frame_results', 'load_coco_vid', 'motion_group_shares', 'motion_iou',
    'motion_table', 'vid_eval_motion'
]
