"""Per-frame video detection in MMTracking's style, for models that need frames ahead.

``mmtrack.apis.inference_vid(model, img, frame_id)`` returns frame t's result at once, which is
right for DFF and single-frame detectors; it runs no test sampler, so it keys LSTS at its own
``frame_stride`` (as ``'start'``). Others need frames that have not arrived yet: LSTS
``'middle'`` detects frames 10i..10i+9 on the memory of keyframe 10i+4 (interval 10), FGFA
averages frames up to 15 ahead, SELSA samples the whole video at frame 0.
:class:`VideoInference` takes frames in order and returns each frame's result as soon as the
frames it needs have been seen::

    model = mmtrack.apis.init_model('configs/vid/lsts_r101.py', 'lsts_r101.pth')
    video = VideoInference(model)
    for img in mmcv.VideoReader('video.mp4'):
        for frame in video.push(img):      # 0 or more FrameResults, in frame order
            use(frame.frame_id, frame.result['det_bboxes'], frame.key_frame)
    for frame in video.flush():            # the end of the video: the rest
        use(frame.frame_id, frame.result['det_bboxes'], frame.key_frame)

Each frame gets exactly what ``tools/test.py`` gives it: the config's test pipeline
(``data.test.pipeline``) and the reference frames of the config's own test sampler
(``data.test.ref_img_sampler``, run by the test dataset class's ``ref_img_sampling``), then the
model's test forward. The references are sampled as if the video went on for ever; a frame runs
once all its references have been pushed, and :meth:`~VideoInference.flush` samples the frames
still held with the video's true length (so LSTS's last keyframe is clipped to the last frame,
as the test dataset clips it).

The delay (frames held back before their result comes out), by the config's test sampler:

- none (DFF, single-frame, LSTS ``key_frame_position='start'``): 0 frames;
- LSTS ``'middle'`` (``'lsts_keyframe'``): a segment's frames wait for its keyframe, so frame
  t is returned when its keyframe is pushed: up to ``(key_frame_interval - 1) // 2`` frames
  (4 for interval 10) and at most that many images held; a last segment that ends before its
  keyframe comes out at :meth:`~VideoInference.flush`;
- FGFA (``'test_with_fix_stride'``): ``frame_range[1] * stride`` frames (15 for our configs);
- SELSA (``'test_with_adaptive_stride'``): the whole video, at :meth:`~VideoInference.flush`.

Frames held back are kept as pushed: push image paths rather than decoded arrays to hold only
their names (the pipeline's loader reads them when they run).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import mmcv
import numpy as np
import torch
from mmcv.parallel import collate, scatter
from mmdet.datasets import DATASETS
from mmdet.datasets.pipelines import Compose, LoadImageFromFile, LoadImageFromWebcam
from mmtrack.utils import get_root_logger

from mmlsts.keyframes import KeyframeSchedule, keyframe_schedule

__all__ = ['FrameResult', 'VideoInference']

_LOADERS = ('LoadImageFromFile', 'LoadMultiImagesFromFile')
# The video length that references are sampled with before the end is known: endless for any
# video, and small enough that samplers' float strides over it stay exact.
_ENDLESS = 2 ** 40


@dataclass
class FrameResult:
    """One frame's detection: ``result`` is the model's test output (``det_bboxes``: a (k, 5)
    array per class, in the input's pixels); ``img`` is what was pushed (an array or a path);
    ``key_frame`` tells whether the frame ran the whole backbone (:mod:`mmlsts.keyframes`)."""

    frame_id: int
    img: np.ndarray | str
    result: dict
    key_frame: bool


class _OneVideo:
    """The two CocoVID calls of a test ``ref_img_sampling``, for the video being pushed."""

    def __init__(self, video_id: int) -> None:
        self.video_id = video_id
        self.num_frames: int | None = None  # known at the end (flush)
        self.files: dict[int, str] = {}  # frames pushed as paths

    def get_img_ids_from_vid(self, vid_id: int) -> range:
        return range(self.num_frames or _ENDLESS)

    def load_imgs(self, ids) -> list[dict]:
        return [self.info(i) for i in ids]

    def info(self, frame_id: int) -> dict:
        name = self.files.get(frame_id, f'frame {frame_id}')
        return dict(id=frame_id, frame_id=frame_id, video_id=self.video_id, file_name=name,
                    filename=name)


class VideoInference:
    """Detect on the frames of one video, pushed in order (see the module docstring).

    Args:
        model: a VID model from ``mmtrack.apis.init_model`` (its ``cfg`` is the config; LSTS,
            DFF, FGFA, SELSA, or any model whose config has a ``data.test`` video pipeline).
        video_id: put in the frames' metas (``video_id``).

    ``push(img)`` takes the next frame (a BGR array, as ``mmcv.imread`` and
    ``mmcv.VideoReader`` give, or an image path) and returns the results that became ready;
    ``flush()`` ends the video and returns the rest. A new instance (or ``reset()``) starts a new
    video.
    """

    def __init__(self, model, video_id: int = 0) -> None:
        cfg = getattr(model, 'cfg', None)
        if cfg is None or 'test' not in cfg.get('data', {}):
            raise ValueError('VideoInference: the model has no cfg.data.test (build it with '
                             'mmtrack.apis.init_model, from a config with a test dataset)')
        self.model = model
        test = cfg.data.test
        pipeline = list(test.pipeline)
        loader = dict(pipeline[0]) if pipeline else {}
        kind = loader.pop('type', None)
        if kind not in _LOADERS:
            raise ValueError(f'VideoInference: data.test.pipeline must start with one of '
                             f'{_LOADERS}, the config starts with {kind}')
        self._multi = kind == 'LoadMultiImagesFromFile'
        self._rgb = loader.get('channel_order', 'bgr') == 'rgb'
        self._from_file, self._from_array = LoadImageFromFile(**loader), LoadImageFromWebcam(
            **loader)
        self._pipeline = Compose(pipeline[1:])
        self._video = _OneVideo(video_id)
        self._dataset = self._test_dataset(test)
        self.schedule: KeyframeSchedule | None = keyframe_schedule(cfg)
        device = next(model.parameters()).device
        self._target = [-1] if device.type == 'cpu' else [device.index or 0]
        self.reset()

    def _test_dataset(self, test):
        """The config's test dataset class over this one video, for its ``ref_img_sampling``
        and ``prepare_results`` (no annotation file is read)."""
        dataset_cls = DATASETS.get(test.type)
        if dataset_cls is None:
            raise ValueError(f'VideoInference: unknown data.test.type {test.type} (is the '
                             'package that registers it imported?)')
        dataset = dataset_cls.__new__(dataset_cls)
        dataset.coco, dataset.load_as_video, dataset.test_mode = self._video, True, True
        dataset.img_prefix = dataset.seg_prefix = dataset.proposal_file = None
        dataset.proposals, dataset.test_load_ann = None, False
        dataset.logger = get_root_logger()
        sampler = dict(test.get('ref_img_sampler') or {})
        if sampler and not hasattr(dataset, 'ref_img_sampling'):
            raise ValueError(f'VideoInference: data.test.type {test.type} has a ref_img_sampler '
                             'but no ref_img_sampling (not a video dataset?)')
        dataset.ref_img_sampler = sampler or None
        return dataset

    def reset(self) -> None:
        """Start a new video: frames held and not flushed are dropped."""
        self._pending: OrderedDict[int, Any] = OrderedDict()  # frame id -> img, not yet run
        self._video.files.clear()
        self._video.num_frames = None
        self.num_pushed = 0
        if hasattr(self.model, 'reset_memory'):
            self.model.reset_memory()

    def push(self, img: np.ndarray | str) -> list[FrameResult]:
        """Add the next frame; returns the frames whose results are now ready, in order."""
        if self._video.num_frames is not None:
            raise RuntimeError('VideoInference: push after flush(); call reset() to start a '
                               'new video')
        if isinstance(img, str):
            self._video.files[self.num_pushed] = img
        elif not isinstance(img, np.ndarray) or img.ndim != 3:
            raise TypeError('VideoInference.push: give an image path or an (H, W, 3) BGR array, '
                            f'got {type(img).__name__} {getattr(img, "shape", "")}')
        self._pending[self.num_pushed] = img
        self.num_pushed += 1
        return self._run_ready()

    def flush(self) -> list[FrameResult]:
        """End the video: the results of every frame still held, references clipped to it."""
        if self._video.num_frames is None:
            self._video.num_frames = self.num_pushed
        return self._run_ready()

    def __call__(self, frames) -> list[FrameResult]:
        """Every frame of ``frames`` (an iterable of arrays or paths), as one video."""
        self.reset()
        out = [r for img in frames for r in self.push(img)]
        return out + self.flush()

    # Running -----------------------------------------------------------------------------
    def _run_ready(self) -> list[FrameResult]:
        out = []
        while self._pending:
            frame_id = next(iter(self._pending))
            infos = self._sample(frame_id)
            if infos is None:
                break  # a reference still to come
            data = self._inputs(infos)
            with torch.no_grad():
                result = self.model(return_loss=False, rescale=True, **data)
            num_frames = self._video.num_frames or self.num_pushed
            key = self.schedule is not None and self.schedule.is_key_frame(frame_id, num_frames)
            out.append(FrameResult(frame_id, self._pending.pop(frame_id), result, key))
        return out

    def _sample(self, frame_id: int) -> list[dict] | None:
        """[frame, its references] as the test dataset samples them; None while a reference
        is still to come. A sampler may change its own settings as it runs (MMTracking's
        'test' samplers fix ``num_ref_imgs``): a sampling that has to wait is undone, so that
        each frame is sampled once, in order, as in ``tools/test.py``."""
        info = self._video.info(frame_id)
        dataset = self._dataset
        if dataset.ref_img_sampler is None:
            return [info]
        settings = dict(dataset.ref_img_sampler)
        infos = dataset.ref_img_sampling(info, **settings)
        if any(ref['frame_id'] >= self.num_pushed for ref in infos):
            dataset.ref_img_sampler = settings
            return None
        for ref in infos[1:]:
            if ref['frame_id'] < frame_id:
                raise ValueError(f'VideoInference: the test sampler {settings} asks for frame '
                                 f"{ref['frame_id']} at frame {frame_id}; only the frame itself "
                                 'and later frames are kept')
        return infos

    def _inputs(self, infos: list[dict]) -> dict:
        results = [self._load(info) for info in infos]
        data = self._pipeline(results if self._multi else results[0])
        return scatter(collate([data], samples_per_gpu=1), self._target)[0]

    def _load(self, info: dict) -> dict:
        """The test dataset's results for a frame, loaded as the pipeline's first step would."""
        results = self._dataset.prepare_results(info)
        img = self._pending[info['frame_id']]
        if isinstance(img, str):
            try:
                return self._from_file(results)
            except AttributeError:  # mmcv decoded nothing (None has no .shape)
                raise ValueError(f'VideoInference: could not read the image {img}') from None
        results['img'] = mmcv.bgr2rgb(img) if self._rgb else img
        return self._from_array(results)
