"""The LSTS video detector's generation-free half, shared by both MMTracking adapters.

``mmlsts.models.vid.LSTS`` (MMTracking 0.x) and ``mmlsts.mmtrack1.models.LSTS`` (MMTracking
1.x, mmengine) each subclass their generation's ``BaseVideoDetector`` and this mixin: they build
the parts and turn their generation's batches into the calls below; everything the method does
with features is here, once. No OpenMMLab import (``addict``, the test memory's dict, is a
plain package): the backbone is read by duck typing (mmdet 2.x and 3.x ResNets have the same
attributes).

- Backbone split: the ResNet is split after ``low_level=('layer3', 4)`` blocks (the paper's
  conv4_3, the official res4b3) into a low part, which every frame runs, and a high part (the
  rest, layer4, the neck), which only keyframes run. As in the official code the low feature is
  taken before the last low block's ReLU and the high part starts with that ReLU, so low2high
  sees the signed residual sum.
- Training (:meth:`LSTSMixin.train_feature`): samples (old key, new key, current frame t); the
  keys take the high path, t the low path; M = SRFU(H_old, H_new) (plain H_new when
  old == new), then F = DFA(M, low(I_t)) (M itself when new == t). Ours, off by default:
  ``low2high_loss_weight`` adds a loss pulling low2high's output towards the frame's own high
  feature (docs/method.md, "Deviations").
- Testing (:meth:`LSTSMixin.test_feature`): a frame that comes with its segment's keyframe
  (:mod:`mmlsts.keyframes`) updates the memory M_k = SRFU(M_prev, H_k) (H_k at a video's first
  keyframe); the keyframe is detected on M_k, every other frame on DFA(M_k, low(I_t)), with
  f(M_k) embedded once per keyframe.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from addict import Dict
from torch import Tensor, nn

__all__ = ['LSTSMixin', 'check_low_level', 'block_before_relu']

MOVED_TEST_CFG = ('key_frame_interval', 'key_frame_position')


def check_low_level(backbone: nn.Module, low_level: Sequence) -> tuple[str, int]:
    """``low_level`` as (layer name, blocks) after checking it against an mmdet ResNet."""
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
    last = getattr(backbone, name)[int(blocks) - 1]
    if not _is_bottleneck(last) and not _is_basic_block(last):
        raise ValueError('LSTS: the last low block must be an mmdet BasicBlock or Bottleneck '
                         f'(its output is taken before the final ReLU), got {type(last).__name__}')
    return name, int(blocks)


def _is_bottleneck(block: nn.Module) -> bool:
    return all(hasattr(block, a) for a in ('conv1', 'conv2', 'conv3', 'downsample'))


def _is_basic_block(block: nn.Module) -> bool:
    return all(hasattr(block, a) for a in ('conv1', 'conv2', 'downsample')) and \
        not hasattr(block, 'conv3')


def block_before_relu(block: nn.Module, x: Tensor) -> Tensor:
    """An mmdet ResNet block's output before its final ReLU (the official res4b3 feature)."""
    identity = x if block.downsample is None else block.downsample(x)
    if _is_bottleneck(block):
        out = block.relu(block.norm1(block.conv1(x)))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv1_plugin_names)
        out = block.relu(block.norm2(block.conv2(out)))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv2_plugin_names)
        out = block.norm3(block.conv3(out))
        if block.with_plugins:
            out = block.forward_plugin(out, block.after_conv3_plugin_names)
    else:
        out = block.norm2(block.conv2(block.relu(block.norm1(block.conv1(x)))))
    return out + identity


class LSTSMixin:
    """What LSTS does with features; the host class builds its parts with its generation's
    registries and gives them to :meth:`set_parts`."""

    detector: nn.Module
    srfu: nn.Module
    dfa: nn.Module
    low_level: tuple[str, int]
    low2high_loss_weight: float

    def set_parts(self, detector: nn.Module, srfu: nn.Module, dfa: nn.Module,
                  low_level: Sequence, share_offsets: bool, train_cfg, test_cfg,
                  low2high_loss_weight: float = 0.0) -> None:
        """Keep the built parts (both adapters' ``__init__`` end here): the detector, SRFU and
        DFA (one offsets parameter when ``share_offsets``, as the official code), the checked
        backbone split, the configs, the weight of our low2high loss (0, official: none), and
        an empty test memory."""
        if not low2high_loss_weight >= 0:
            raise ValueError(f'LSTS: low2high_loss_weight must be >= 0, got {low2high_loss_weight}')
        self.low2high_loss_weight = float(low2high_loss_weight)
        self.detector, self.srfu, self.dfa = detector, srfu, dfa
        if share_offsets:
            self.dfa.lsts.share_offsets_from(self.srfu.lsts)
        self.low_level = check_low_level(self.detector.backbone, low_level)
        self.train_cfg = train_cfg
        self.test_cfg = self.check_test_cfg(test_cfg)
        self.memo = Dict()

    @staticmethod
    def check_test_cfg(test_cfg: dict | None) -> dict:
        moved = sorted(set(MOVED_TEST_CFG) & set(test_cfg or {}))
        if moved:
            raise ValueError(
                f'LSTS: test_cfg.{moved[0]} is not read: the keyframe schedule is set once, in '
                "the test set's ref_img_sampler=dict(method='lsts_keyframe', "
                "key_frame_interval=10, key_frame_position='middle') (docs/configs.md)")
        return dict(test_cfg or {})

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
                return block_before_relu(blocks[-1], x)
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
    def train_feature(self, img: Tensor, ref_img: Tensor | None, frame_ids: Sequence
                      ) -> tuple[Tensor, dict[str, Tensor]]:
        """The feature frame t is detected on in training, and the sample's extra losses (none
        unless ``low2high_loss_weight``): ``ref_img`` (1, 2, C, H, W) holds the old and the new
        key, ``frame_ids`` = (t, old, new) (checked: 2 references)."""
        num_refs = 0 if ref_img is None else ref_img.shape[1]
        if num_refs != 2:
            raise ValueError("LSTS: video training samples need 2 reference images (old "
                             "and new key): use ref_img_sampler=dict(method='lsts_triple') "
                             f'of LSTSVIDDataset, got {num_refs}')
        cur_id, old_id, new_id = frame_ids
        memory = self.extract_high(self.extract_low(ref_img[:, 1]))
        if old_id != new_id:
            memory = self.srfu(self.extract_high(self.extract_low(ref_img[:, 0])), memory)
        if new_id == cur_id:
            return memory, self._no_extra_losses(memory)
        low = self.extract_low(img)
        if not self.low2high_loss_weight:
            return self.dfa(memory, low), {}
        parts = self.dfa.parts(memory, low)
        return parts.fused, dict(loss_low2high=self._low2high_loss(parts.current, low))

    def still_feature(self, img: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """A still image's feature (the plain single-frame path) and its extra losses."""
        high = self.extract_high(self.extract_low(img))
        return high, self._no_extra_losses(high)

    def _low2high_loss(self, current: Tensor, low: Tensor) -> Tensor:
        """``low2high_loss_weight`` x |L_t - H_t|^2 / |H_t|^2, where H_t = high(low(I_t)) is
        the frame's own high feature, computed without gradient (training only)."""
        with torch.no_grad():
            target = self.extract_high(low)
        error = (current - target).pow(2).mean() / target.pow(2).mean().clamp_min(1e-12)
        return self.low2high_loss_weight * error

    def _no_extra_losses(self, like: Tensor) -> dict[str, Tensor]:
        # every sample logs the same keys (distributed training compares them across ranks)
        return dict(loss_low2high=like.new_zeros(())) if self.low2high_loss_weight else {}

    # Testing -----------------------------------------------------------------------------
    def reset_memory(self) -> None:
        """Forget the keyframe memory (done automatically when a new video starts)."""
        self.memo.clear()

    def test_feature(self, img: Tensor, frame_id, video, filename: str,
                     key: tuple[Tensor, int] | None) -> Tensor:
        """The feature test frame ``frame_id`` of ``video`` is detected on, keeping the memory.

        ``key``: (image, frame id) of the keyframe that comes with this frame (it starts a
        segment), or None. Frames of a video must come in increasing order.
        """
        new_video = self._start_frame(frame_id, video, filename)
        if key is not None:
            key_img, key_id = key
            if key_id < frame_id:
                raise ValueError(
                    f'LSTS: frame {frame_id} came with reference frame {key_id}; LSTS takes the '
                    "keyframe of the segment the frame starts (at or after it): use "
                    "LSTSVIDDataset's ref_img_sampler=dict(method='lsts_keyframe')")
            self._update_memory(self.extract_high(self.extract_low(key_img)), key_id)
        elif new_video:
            raise ValueError(
                f'LSTS: frame {frame_id} starts a video but came without its keyframe as a '
                'reference image. Test with LSTSVIDDataset and ref_img_sampler='
                "dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position="
                "'middle') (or 'start'), or feed frames with mmlsts.apis.VideoInference; "
                'mmtrack.apis.inference_vid cannot give LSTS its keyframes')
        if frame_id == self.memo.key_id:
            return self.memo.memory
        return self.dfa(self.memo.memory, self.extract_low(img), self.memo.memory_embed)

    def _start_frame(self, frame_id, video, filename: str) -> bool:
        """Resets the memory on a new video, rejects frames out of order; True on a new video."""
        if frame_id is None or frame_id < 0:
            raise ValueError("LSTS: test images need a 'frame_id' >= 0 in their meta "
                             f'information (a video dataset), got {frame_id} for {filename}')
        new_video = ('frame_id' not in self.memo or frame_id == 0
                     or (video is not None and video != self.memo.video))
        if new_video:
            self.reset_memory()
        elif frame_id <= self.memo.frame_id:
            raise ValueError(f'LSTS: frames of a video must come in increasing order; got frame '
                             f'{frame_id} after frame {self.memo.frame_id} ({filename}). Test '
                             'with a sequential sampler (batch size 1, no shuffle).')
        self.memo.video = video
        self.memo.frame_id = frame_id
        return new_video

    def _update_memory(self, high: Tensor, key_id: int) -> None:
        memory = high if self.memo.get('memory') is None else self.srfu(self.memo.memory, high)
        self.memo.memory = memory
        self.memo.memory_embed = self.dfa.embed_memory(memory)
        self.memo.key_id = key_id
