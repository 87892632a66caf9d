"""``LSTS``: the video object detector of "Learning Where to Focus for Efficient Video Object
Detection" (Jiang et al., ECCV 2020), registered in MMTracking's model registry.

Around an mmdet Faster R-CNN DC5 (the detector of MMTracking's DFF/FGFA/SELSA), the ResNet
backbone is split after ``low_level=('layer3', 4)`` blocks (the paper's conv4_3, the official
res4b3) into a low part, which every frame runs, and a high part (the rest, layer4, the neck),
which only keyframes run. No layer is ever computed twice for one image. As in the official code
the low feature is taken before the last low block's ReLU and the high part starts with that
ReLU, so low2high sees the signed residual sum.

- Keyframe k: H_k = high(low(I_k)); memory M_k = SRFU(M_prev, H_k) (M_k = H_k at a video's
  first keyframe); detection runs on M_k.
- Non-keyframe t: F_t = DFA(M_k, low(I_t)); detection runs on F_t. f(M_k) is embedded once
  per keyframe, not once per frame.

Test-time keyframes come from the test set (:mod:`mmlsts.keyframes`): ``LSTSVIDDataset``'s
``'lsts_keyframe'`` sampler gives the first frame of each segment its segment's keyframe as the
one reference image, and the detector follows it.

Training samples (old key, new key, current frame t), see ``LSTSVIDDataset``: the keys take the
high path, t the low path; M = SRFU(H_old, H_new) (plain H_new when old == new), then
F = DFA(M, low(I_t)) (M itself when new == t). Still images train the plain detector.
"""
from __future__ import annotations

import torch.nn.functional as F
from addict import Dict
from mmdet.models import build_detector
from mmdet.models.backbones.resnet import BasicBlock, Bottleneck
from mmtrack.models import MODELS, build_aggregator
from mmtrack.models.vid.base import BaseVideoDetector
from torch import Tensor

__all__ = ['LSTS']


@MODELS.register_module()
class LSTS(BaseVideoDetector):
    """LSTS video detector: SRFU at keyframes, DFA at the frames between them.

    Args:
        detector: config of an mmdet two-stage detector with a ResNet backbone whose only
            output is layer4 (``out_indices=(3,)``), e.g. Faster R-CNN DC5.
        srfu: config of the keyframe memory update (type ``'SRFU'``).
        dfa: config of the non-keyframe aggregation (type ``'DFA'``).
        low_level: (layer name, number of its blocks) that end the low part of the backbone;
            the last of them must be an mmdet ``BasicBlock`` or ``Bottleneck``.
        share_offsets: SRFU and DFA use one sampling-offsets parameter (official code: True).
        frozen_modules, init_cfg, train_cfg, test_cfg: as in MMTracking's video detectors (the
            keyframe schedule is the test set's, not ``test_cfg``'s: see :mod:`mmlsts.keyframes`).
    """

    def __init__(self, detector: dict, srfu: dict, dfa: dict,
                 low_level: tuple[str, int] = ('layer3', 4), share_offsets: bool = True,
                 frozen_modules=None, init_cfg=None, train_cfg=None, test_cfg=None) -> None:
        super().__init__(init_cfg)
        moved = sorted({'key_frame_interval', 'key_frame_position'} & set(test_cfg or {}))
        if moved:
            raise ValueError(
                f'LSTS: test_cfg.{moved[0]} is not read: the keyframe schedule is set once, in '
                "the test set's ref_img_sampler=dict(method='lsts_keyframe', "
                "key_frame_interval=10, key_frame_position='middle') (docs/configs.md)")
        self.detector = build_detector(detector)
        self.srfu = build_aggregator(srfu)
        self.dfa = build_aggregator(dfa)
        if share_offsets:
            self.dfa.lsts.share_offsets_from(self.srfu.lsts)
        self.train_cfg = train_cfg
        self.test_cfg = dict(test_cfg or {})
        self._check_backbone(low_level)
        self.low_level = (low_level[0], int(low_level[1]))
        last_low = getattr(self.detector.backbone, self.low_level[0])[self.low_level[1] - 1]
        if not isinstance(last_low, (BasicBlock, Bottleneck)):
            raise ValueError('LSTS: the last low block must be an mmdet BasicBlock or Bottleneck '
                             f'(its output is taken before the final ReLU), got '
                             f'{type(last_low).__name__}')
        self.memo = Dict()
        if frozen_modules is not None:
            self.freeze_module(frozen_modules)

    def _check_backbone(self, low_level: tuple[str, int]) -> None:
        backbone = self.detector.backbone
        layers = getattr(backbone, 'res_layers', None)
        if layers is None:
            raise ValueError('LSTS: detector.backbone must be an mmdet ResNet (it has no '
                             f'res_layers), got {type(backbone).__name__}')
        if tuple(backbone.out_indices) != (len(layers) - 1,):
            raise ValueError('LSTS: detector.backbone.out_indices must be the last stage only '
                             f'({(len(layers) - 1,)}), got {tuple(backbone.out_indices)}')
        name, blocks = low_level
        if name not in layers:
            raise ValueError(f"LSTS: low_level layer '{name}' is not one of {layers}")
        depth = len(getattr(backbone, name))
        if not 1 <= int(blocks) <= depth:
            raise ValueError(f"LSTS: low_level blocks must be in 1..{depth} for '{name}', "
                             f'got {blocks}')

    # Backbone split ----------------------------------------------------------------------
    def extract_low(self, img: Tensor) -> Tensor:
        """The low part: stem, early layers and the first blocks of ``low_level[0]``, the last
        of them without its final ReLU."""
        backbone = self.detector.backbone
        if backbone.deep_stem:
            x = backbone.stem(img)
        else:
            x = backbone.relu(backbone.norm1(backbone.conv1(img)))
        x = backbone.maxpool(x)
        split_name, split_blocks = self.low_level
        for name in backbone.res_layers:
            layer = getattr(backbone, name)
            if name == split_name:
                blocks = list(layer)[:split_blocks]
                for block in blocks[:-1]:
                    x = block(x)
                return _block_before_relu(blocks[-1], x)
            x = layer(x)
        raise AssertionError('unreachable: low_level was checked in __init__')

    def extract_high(self, low: Tensor) -> Tensor:
        """The high part: the remaining blocks, the last stages and the neck."""
        backbone = self.detector.backbone
        split_name, split_blocks = self.low_level
        names = list(backbone.res_layers)
        x = F.relu(low)
        for block in list(getattr(backbone, split_name))[split_blocks:]:
            x = block(x)
        for name in names[names.index(split_name) + 1:]:
            x = getattr(backbone, name)(x)
        if self.detector.with_neck:
            (x,) = self.detector.neck((x,))
        return x

    # Training ----------------------------------------------------------------------------
    def forward_train(self, img, img_metas, gt_bboxes, gt_labels, ref_img=None,
                      ref_img_metas=None, gt_bboxes_ignore=None, gt_masks=None, proposals=None,
                      **kwargs) -> dict:
        """Faster R-CNN losses of frame t after SRFU + DFA from its (old, new) keyframes."""
        if len(img) != 1:
            raise ValueError('LSTS trains with 1 sample per GPU (samples_per_gpu=1), '
                             f'got a batch of {len(img)}')
        if not img_metas[0].get('is_video_data', True):
            x = self.extract_high(self.extract_low(img))
        else:
            num_refs = 0 if ref_img is None else ref_img.shape[1]
            if num_refs != 2:
                raise ValueError("LSTS: video training samples need 2 reference images (old "
                                 "and new key): use ref_img_sampler=dict(method='lsts_triple') "
                                 f'of LSTSVIDDataset, got {num_refs}')
            cur_id = img_metas[0]['frame_id']
            old_id, new_id = (meta['frame_id'] for meta in ref_img_metas[0])
            memory = self.extract_high(self.extract_low(ref_img[:, 1]))
            if old_id != new_id:
                old = self.extract_high(self.extract_low(ref_img[:, 0]))
                memory = self.srfu(old, memory)
            if new_id == cur_id:
                x = memory
            else:
                x = self.dfa(memory, self.extract_low(img))
        return self._detector_losses([x], img_metas, gt_bboxes, gt_labels, gt_bboxes_ignore,
                                     gt_masks, proposals, **kwargs)

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
    def reset_memory(self) -> None:
        """Forget the keyframe memory (done automatically when a new video starts)."""
        self.memo = Dict()

    def _start_frame(self, meta: dict) -> tuple[int, bool]:
        """Frame id of ``meta``; resets the memory on a new video, rejects frames out of order."""
        frame_id = meta.get('frame_id', -1)
        if frame_id is None or frame_id < 0:
            raise ValueError("LSTS: test images need a 'frame_id' >= 0 in img_metas (use a "
                             'video dataset with VideoCollect), got '
                             f"{frame_id} for {meta.get('filename', '?')}")
        video = meta.get('video_id', None)
        new_video = ('frame_id' not in self.memo or frame_id == 0
                     or (video is not None and video != self.memo.video))
        if new_video:
            self.reset_memory()
        elif frame_id <= self.memo.frame_id:
            raise ValueError(f"LSTS: frames of a video must come in increasing order; got frame "
                             f"{frame_id} after frame {self.memo.frame_id} "
                             f"({meta.get('filename', '?')}). Test with a sequential sampler "
                             '(samples_per_gpu=1, no shuffle).')
        self.memo.video = video
        self.memo.frame_id = frame_id
        return frame_id, new_video

    def _update_memory(self, high: Tensor, key_id: int) -> None:
        memory = high if self.memo.get('memory') is None else self.srfu(self.memo.memory, high)
        self.memo.memory = memory
        self.memo.memory_embed = self.dfa.embed_memory(memory)
        self.memo.key_id = key_id

    def extract_feats(self, img: Tensor, img_metas: list[dict], ref_img: Tensor | None = None,
                      ref_img_metas=None) -> list[Tensor]:
        """The feature that detection runs on for this test frame, keeping the memory.

        A frame that comes with a reference image starts a segment: the reference is the
        segment's keyframe (the frame itself for ``'start'``), whose high feature updates the
        memory. Every frame of the segment is then detected on that memory: the keyframe on
        the memory itself, the others through DFA.
        """
        frame_id, new_video = self._start_frame(img_metas[0])
        key = self._keyframe_reference(frame_id, ref_img, ref_img_metas)
        if key is not None:
            key_img, key_id = key
            self._update_memory(self.extract_high(self.extract_low(key_img)), key_id)
        elif new_video:
            raise ValueError(
                f'LSTS: frame {frame_id} starts a video but came without its keyframe as a '
                'reference image. Test with LSTSVIDDataset and ref_img_sampler='
                "dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position="
                "'middle') (or 'start'), or feed frames with mmlsts.apis.VideoInference; "
                'mmtrack.apis.inference_vid cannot give LSTS its keyframes')
        if frame_id == self.memo.key_id:
            return [self.memo.memory]
        return [self.dfa(self.memo.memory, self.extract_low(img), self.memo.memory_embed)]

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
        if ref_img is None or len(key_ids) != 1 or key_ids[0] is None or key_ids[0] < frame_id:
            raise ValueError(
                f'LSTS: frame {frame_id} came with reference frames '
                f"{[m.get('frame_id') for m in metas]}; LSTS takes the keyframe of the segment "
                "the frame starts (at or after it): use LSTSVIDDataset's "
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


def _block_before_relu(block, x: Tensor) -> Tensor:
    """An mmdet ResNet block's output before its final ReLU (the official res4b3 feature)."""
    identity = x if block.downsample is None else block.downsample(x)
    if isinstance(block, Bottleneck):
        out = block.relu(block.norm1(block.conv1(x)))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv1_plugin_names)
        out = block.relu(block.norm2(block.conv2(out)))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv2_plugin_names)
        out = block.norm3(block.conv3(out))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv3_plugin_names)
    elif isinstance(block, BasicBlock):
        out = block.norm2(block.conv2(block.relu(block.norm1(block.conv1(x)))))
    else:  # checked in LSTS.__init__
        raise AssertionError(f'unsupported block {type(block).__name__}')
    return out + identity
