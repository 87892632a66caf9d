"""``LSTS`` for MMTracking 1.x: the video detector on mmengine's ``BaseModel`` interface.

The same detector as ``mmlsts.models.LSTS`` (MMTracking 0.x): what it does with features is
:class:`mmlsts.video_detector.LSTSMixin`, shared by both. This class reads MMTracking 1.x's
batches - ``inputs['img']`` of shape (1, 1, C, H, W), ``inputs['ref_img']`` (1, T, C, H, W),
one ``TrackDataSample`` whose metainfo holds ``frame_id``, ``video_id``, ``is_video_data`` and
the references' ``ref_frame_id`` - and runs the mmdet 3 detector's heads:

- ``loss``: a training sample (frame t, references old and new key from the dataset's
  ``'lsts_triple'`` sampler) or a still image (``is_video_data`` False, the plain path);
- ``predict``: one test frame, frames of a video in order; a frame that comes with a reference
  (the ``'lsts_keyframe'`` sampler) starts a segment with that keyframe.

Normalisation and padding are the model's ``data_preprocessor`` (``TrackDataPreprocessor``).
"""
from __future__ import annotations

import copy

import torch
from mmtrack.models.vid.base import BaseVideoDetector
from mmtrack.registry import MODELS
from torch import Tensor

from mmlsts.video_detector import LSTSMixin

__all__ = ['LSTS']


@MODELS.register_module()
class LSTS(LSTSMixin, BaseVideoDetector):
    """LSTS video detector: SRFU at keyframes, DFA at the frames between them.

    Args:
        detector: config of an mmdet two-stage detector with a ResNet backbone whose only
            output is layer4 (``out_indices=(3,)``), e.g. Faster R-CNN DC5 (``_scope_='mmdet'``).
        srfu: config of the keyframe memory update (type ``'SRFU'``).
        dfa: config of the non-keyframe aggregation (type ``'DFA'``).
        low_level: (layer name, number of its blocks) that end the low part of the backbone.
        share_offsets: SRFU and DFA use one sampling-offsets parameter (official code: True).
        low2high_loss_weight: weight of our extra training loss ``loss_low2high``, pulling
            low2high's output at a non-keyframe towards the frame's own high feature; 0
            (official): none.
        frozen_modules, train_cfg, test_cfg, data_preprocessor, init_cfg: as in MMTracking's
            video detectors (the keyframe schedule is the test set's, not ``test_cfg``'s).
    """

    def __init__(self, detector: dict, srfu: dict, dfa: dict,
                 low_level: tuple[str, int] = ('layer3', 4), share_offsets: bool = True,
                 low2high_loss_weight: float = 0.0,
                 frozen_modules=None, train_cfg=None, test_cfg=None, data_preprocessor=None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor, init_cfg)
        self.set_parts(MODELS.build(detector), MODELS.build(srfu), MODELS.build(dfa), low_level,
                       share_offsets, train_cfg, test_cfg, low2high_loss_weight)
        if frozen_modules is not None:
            self.freeze_module(frozen_modules)

    # Training ----------------------------------------------------------------------------
    def loss(self, inputs: dict, data_samples: list, **kwargs) -> dict:
        """Faster R-CNN losses of frame t after SRFU + DFA from its (old, new) keyframes."""
        img = _one_sample(inputs['img'], data_samples, 'trains')
        meta = data_samples[0].metainfo
        if not meta.get('is_video_data', True):
            x, extra = self.still_feature(img)
        else:
            refs = meta.get('ref_frame_id', [])  # one reference: a number, not a list
            refs = refs if isinstance(refs, (list, tuple)) else [refs]
            x, extra = self.train_feature(img, inputs.get('ref_img'), [meta['frame_id'], *refs])
        losses = self._detector_losses((x,), data_samples, **kwargs)
        losses.update(extra)
        return losses

    def _detector_losses(self, x: tuple[Tensor], data_samples: list, **kwargs) -> dict:
        detector = self.detector
        proposal_cfg = detector.train_cfg.get('rpn_proposal', detector.test_cfg.rpn)
        rpn_samples = copy.deepcopy(data_samples)
        for sample in rpn_samples:  # the RPN is class-agnostic
            sample.gt_instances.labels = torch.zeros_like(sample.gt_instances.labels)
        rpn_losses, proposals = detector.rpn_head.loss_and_predict(
            x, rpn_samples, proposal_cfg=proposal_cfg, **kwargs)
        losses = {(f'rpn_{k}' if 'loss' in k and 'rpn' not in k else k): v
                  for k, v in rpn_losses.items()}
        losses.update(detector.roi_head.loss(x, proposals, data_samples, **kwargs))
        return losses

    # Testing -----------------------------------------------------------------------------
    def predict(self, inputs: dict, data_samples: list, rescale: bool = True) -> list:
        """Detect on one frame of a video, frames in order; returns the data sample with
        ``pred_det_instances``."""
        img = _one_sample(inputs['img'], data_samples, 'tests')
        meta = data_samples[0].metainfo
        frame_id = meta.get('frame_id', -1)
        key = None
        if 'ref_img' in inputs:
            ref_ids = meta.get('ref_frame_id')
            ref_ids = ref_ids if isinstance(ref_ids, (list, tuple)) else [ref_ids]
            if len(set(ref_ids)) != 1 or ref_ids[0] is None:
                raise ValueError(
                    f'LSTS: frame {frame_id} came with reference frames {list(ref_ids)}; LSTS '
                    "takes one, the keyframe of the segment the frame starts: use "
                    "LSTSVIDDataset's ref_img_sampler=dict(method='lsts_keyframe')")
            key = (inputs['ref_img'][0, 0:1], ref_ids[0])
        x = self.test_feature(img, frame_id, meta.get('video_id'), meta.get('img_path', '?'),
                              key)
        proposals = self.detector.rpn_head.predict((x,), data_samples, rescale=False)
        results = self.detector.roi_head.predict((x,), proposals, data_samples,
                                                 rescale=rescale)
        sample = copy.deepcopy(data_samples[0])
        sample.pred_det_instances = results[0]
        return [sample]


def _one_sample(img: Tensor, data_samples: list, does: str) -> Tensor:
    """The key image (1, C, H, W) of a batch of one sample with one key frame."""
    if img.dim() != 5 or img.shape[:2] != (1, 1) or len(data_samples) != 1:
        raise ValueError(f'LSTS {does} one sample with one key image at a time (batch_size=1), '
                         f'got images of shape {tuple(img.shape)} and {len(data_samples)} '
                         'data samples')
    return img[0]
