"""``LSTS``: the video object detector of "Learning Where to Focus for Efficient Video Object
Detection" (Jiang et al., ECCV 2020), registered in MMTracking 0.x's model registry.

Around an mmdet Faster R-CNN DC5 (the detector of MMTracking's DFF/FGFA/SELSA), keyframes run
the whole backbone and update the memory with SRFU, the other frames run its low part and DFA.
What the method does with features (the backbone split, training triples, the test memory) is
:class:`mmlsts.video_detector.LSTSMixin`, shared with the MMTracking 1.x adapter; this class
turns MMTracking 0.x's batches (``img_metas``, ``ref_img``) into its calls and runs the
detector's heads.

Test-time keyframes come from the test set (:mod:`mmlsts.keyframes`): ``LSTSVIDDataset``'s
``'lsts_keyframe'`` sampler gives the first frame of each segment its segment's keyframe as the
one reference image, and the detector follows it. Training samples come from its
``'lsts_triple'`` sampler (old key, new key, frame t); still images train the plain detector.
"""
from __future__ import annotations

from mmdet.models import build_detector
from mmtrack.models import MODELS, build_aggregator
from mmtrack.models.vid.base import BaseVideoDetector
from torch import Tensor

from mmlsts.video_detector import LSTSMixin

__all__ = ['LSTS']


@MODELS.register_module()
class LSTS(LSTSMixin, BaseVideoDetector):
    """LSTS video detector: SRFU at keyframes, DFA at the frames between them.

    Args:
        detector: config of an mmdet two-stage detector with a ResNet backbone whose only
            output is layer4 (``out_indices=(3,)``), e.g. Faster R-CNN DC5.
        srfu: config of the keyframe memory update (type ``'SRFU'``).
        dfa: config of the non-keyframe aggregation (type ``'DFA'``).
        low_level: (layer name, number of its blocks) that end the low part of the backbone;
            the last of them must be an mmdet ``BasicBlock`` or ``Bottleneck``.
        share_offsets: SRFU and DFA use one sampling-offsets parameter (official code: True).
        low2high_loss_weight: weight of our extra training loss ``loss_low2high``, pulling
            low2high's output at a non-keyframe towards the frame's own high feature; 0
            (official): none.
        frozen_modules, init_cfg, train_cfg, test_cfg: as in MMTracking's video detectors (the
            keyframe schedule is the test set's, not ``test_cfg``'s: see :mod:`mmlsts.keyframes`).
    """

    def __init__(self, detector: dict, srfu: dict, dfa: dict,
                 low_level: tuple[str, int] = ('layer3', 4), share_offsets: bool = True,
                 low2high_loss_weight: float = 0.0,
                 frozen_modules=None, init_cfg=None, train_cfg=None, test_cfg=None) -> None:
        super().__init__(init_cfg)
        self.set_parts(build_detector(detector), build_aggregator(srfu), build_aggregator(dfa),
                       low_level, share_offsets, train_cfg, test_cfg, low2high_loss_weight)
        if frozen_modules is not None:
            self.freeze_module(frozen_modules)

    # Training ----------------------------------------------------------------------------
    def forward_train(self, img, img_metas, gt_bboxes, gt_labels, ref_img=None,
                      ref_img_metas=None, gt_bboxes_ignore=None, gt_masks=None, proposals=None,
                      **kwargs) -> dict:
        """Faster R-CNN losses of frame t after SRFU + DFA from its (old, new) keyframes."""
        if len(img) != 1:
            raise ValueError('LSTS trains with 1 sample per GPU (samples_per_gpu=1), '
                             f'got a batch of {len(img)}')
        if not img_metas[0].get('is_video_data', True):
            x, extra = self.still_feature(img)
        else:
            refs = [m['frame_id'] for m in (ref_img_metas[0] if ref_img_metas else [])]
            x, extra = self.train_feature(img, ref_img, [img_metas[0]['frame_id'], *refs])
        losses = self._detector_losses([x], img_metas, gt_bboxes, gt_labels, gt_bboxes_ignore,
                                       gt_masks, proposals, **kwargs)
        losses.update(extra)
        return losses

    def _detector_losses(self, x, img_metas, gt_bboxes, gt_labels, gt_bboxes_ignore, gt_masks,
                         proposals, **kwargs) -> dict:
        detector = self.detector
        losses = dict()
        if detector.with_rpn:
            proposal_cfg = detector.train_cfg.get('rpn_proposal', detector.test_cfg.rpn)
            rpn_losses, proposals = detector.rpn_head.forward_train(
                x, img_metas, gt_bboxes, gt_labels=None, gt_bboxes_ignore=gt_bboxes_ignore,
                proposal_cfg=proposal_cfg)
            losses.update(rpn_losses)
        losses.update(detector.roi_head.forward_train(
            x, img_metas, proposals, gt_bboxes, gt_labels, gt_bboxes_ignore, gt_masks, **kwargs))
        return losses

    # Testing ---------------------------------------------------------------------------
    def extract_feats(self, img: Tensor, img_metas: list[dict], ref_img: Tensor | None = None,
                      ref_img_metas=None) -> list[Tensor]:
        """The feature that detection runs on for this test frame, keeping the memory
        (:meth:`LSTSMixin.test_feature`)."""
        meta = img_metas[0]
        frame_id = meta.get('frame_id', -1)
        key = self._keyframe_reference(frame_id, ref_img, ref_img_metas)
        return [self.test_feature(img, frame_id, meta.get('video_id', None),
                                  meta.get('filename', '?'), key)]

    def _keyframe_reference(self, frame_id: int, ref_img, ref_img_metas
                            ) -> tuple[Tensor, int] | None:
        """(image, frame id) of the keyframe that comes with this frame, or None.

        One reference from ``'lsts_keyframe'``; ``mmtrack.apis.inference_vid`` gives copies of
        the frame itself (10 at frame 0, one at every ``frame_stride``-th frame), which key the
        frame as ``'start'`` does.
        """
        metas = ref_img_metas[0] if ref_img_metas else []
        while hasattr(metas, 'data'):  # inference_vid on a CPU leaves a DataContainer
            metas = metas.data
        while isinstance(metas, (list, tuple)) and len(metas) == 1 and \
                isinstance(metas[0], (list, tuple)):
            metas = metas[0]
        if ref_img is None and not metas:
            return None
        key_ids = sorted({m.get('frame_id') for m in metas}) if metas else []
        if ref_img is None or len(key_ids) != 1 or key_ids[0] is None:
            raise ValueError(
                f'LSTS: frame {frame_id} came with reference frames '
                f"{[m.get('frame_id') for m in metas]}; LSTS takes one, the keyframe of the "
                "segment the frame starts: use LSTSVIDDataset's "
                "ref_img_sampler=dict(method='lsts_keyframe')")
        return ref_img[0][:, 0], key_ids[0]

    def simple_test(self, img, img_metas, ref_img=None, ref_img_metas=None, proposals=None,
                    rescale=False) -> dict:
        """Detect on one frame of a video, frames in order; returns MMTracking's format."""
        x = self.extract_feats(img, img_metas, ref_img, ref_img_metas)
        if proposals is None:
            proposals = self.detector.rpn_head.simple_test_rpn(x, img_metas)
        outs = self.detector.roi_head.simple_test(x, proposals, img_metas, rescale=rescale)
        return dict(det_bboxes=outs[0])

    def aug_test(self, imgs, img_metas, **kwargs):
        raise NotImplementedError('LSTS has no test-time augmentation')

