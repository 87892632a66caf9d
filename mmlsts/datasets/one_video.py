"""Reference-frame sampling for one video held in memory, without an annotation file.

The demo (``mmlsts/apis/demo.py``) and the speed benchmark (``mmlsts/benchmark/vid.py``) feed a
model frame by frame, yet each method must get the reference frames its own test dataset would
give it (LSTS's segment keyframe, FGFA's and SELSA's strides). The config's test dataset class
samples them from a ``coco`` index; :class:`OneVideoIndex` answers the two calls it makes for a
single video, and :func:`reference_sampler` builds the dataset object around it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ['OneVideoIndex', 'reference_sampler']


class OneVideoIndex:
    """The CocoVID calls of ``ref_img_sampling`` (``get_img_ids_from_vid``, ``load_imgs``)."""

    def __init__(self, num_frames: int, height: int, width: int, video_id: int = 0,
                 name: Callable[[int], str] | None = None) -> None:
        self.num_frames, self.height, self.width = num_frames, height, width
        self.video_id = video_id
        self.name = name or (lambda i: f'video{video_id:04d}/{i:06d}.JPEG')

    def get_img_ids_from_vid(self, vid_id: int) -> list[int]:
        return list(range(self.num_frames))

    def load_imgs(self, ids) -> list[dict]:
        return [self.info(i) for i in ids]

    def info(self, frame_id: int) -> dict:
        """The image info of a frame, as a dataset's ``data_infos`` holds it."""
        name = self.name(frame_id)
        return dict(id=frame_id, frame_id=frame_id, video_id=self.video_id, file_name=name,
                    filename=name, height=self.height, width=self.width,
                    is_vid_train_frame=False)


def reference_sampler(cfg, index: OneVideoIndex, who: str):
    """(dataset, sampler kwargs) sampling ``cfg.data.test``'s references, or (None, None)."""
    sampler = cfg.data.test.get('ref_img_sampler')
    if not sampler:
        return None, None
    from mmdet.datasets import DATASETS
    dataset_cls = DATASETS.get(cfg.data.test.type)
    if dataset_cls is None or not hasattr(dataset_cls, 'ref_img_sampling'):
        raise ValueError(f'{who}: the test dataset {cfg.data.test.type} of the config has a '
                         'ref_img_sampler but no ref_img_sampling (not a video dataset?)')
    dataset = dataset_cls.__new__(dataset_cls)  # no annotation file: only the sampler runs
    dataset.coco, dataset.load_as_video = index, True
    dataset.ref_img_sampler = dict(sampler)
    dataset.logger = logging.getLogger(f'mmlsts.{who}')
    return dataset, dataset.ref_img_sampler
