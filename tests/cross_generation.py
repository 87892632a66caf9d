"""What both MMTracking generations' tests compute the same way, to compare each with one
committed record (``tests/data/cross_generation.json`` and ``.pt``): the two adapters never run
in one environment, so each generation's suite checks that it reproduces the record.

- :func:`sampler_frames`: the frames LSTSVIDDataset's samplers load, on the small synthetic set;
- :func:`forward_record`: what tiny LSTS computes on fixed weights and images (the keyframe
  memory, a non-keyframe's DFA feature, a training feature and the detections).
Plain Python and torch: imported by both generations' tests.
"""
from __future__ import annotations

import os.path as osp
import random
import zlib
from collections.abc import Callable

import torch
from torch import nn

RECORD = osp.join(osp.dirname(osp.abspath(__file__)), 'data', 'cross_generation')
# the small set both record: make_workspace's defaults but 2 videos of 25 frames
WORKSPACE = dict(num_train_videos=1, num_val_videos=2, frames_per_video=25)
FORWARD_TOLERANCE = 1e-4  # absolute, on features of order 1
# absolute, on box coordinates (pixels, up to 80) and scores: float32 sums in another order (other
# torch thread counts) move a coordinate by up to 1.5e-4 px on one machine
DETECTION_TOLERANCE = 1e-3
TOP, MARGIN = 20, 10  # detections compared, and how far down their match may be


def sampler_frames(frames_of: Callable[[int, dict], list[int]], num_frames: int,
                   train_frames: int) -> dict:
    """Frame ids each sampler gives: ``frames_of(idx, sampler)`` is the frame ids of sample
    ``idx`` (the frame and its references, in the dataset's order) with ``sampler`` as the
    ``ref_img_sampler``; val samples ``0..num_frames-1``, train samples ``0..train_frames-1``
    with ``random`` seeded per sample."""
    record = {}
    for position in ('middle', 'start'):
        sampler = dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position=position)
        record[f'keyframe_{position}'] = [frames_of(i, sampler) for i in range(num_frames)]
    triples = []
    for i in range(train_frames):
        random.seed(i)
        triples.append(frames_of(i, dict(method='lsts_triple', old_range=(-10, -6),
                                         new_range=(-5, 4))))
    record['triple'] = triples
    return record


def fill_deterministic(model: nn.Module) -> None:
    """Every parameter and float buffer from a generator seeded by its name: the same values in
    both generations for the same names and shapes."""
    with torch.no_grad():
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            if not tensor.is_floating_point():
                continue
            gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
            values = torch.randn(tensor.shape, generator=gen) * 0.1
            if tensor.dim() == 1 and name.endswith('weight'):  # a norm layer's scale
                values = values + 1.0
            tensor.copy_(values)


def images(count: int = 4, size: tuple[int, int] = (64, 80)) -> torch.Tensor:
    """``count`` normalised images (count, 3, H, W), the same in both generations."""
    gen = torch.Generator().manual_seed(7)
    return torch.randn((count, 3, *size), generator=gen)


def forward_record(model: nn.Module, detect: Callable[[torch.Tensor, torch.Tensor], tuple]
                   ) -> dict[str, torch.Tensor]:
    """What ``model`` (an LSTS of either generation, filled by :func:`fill_deterministic`, in
    eval mode) computes on :func:`images`: ``detect(feature, image)`` runs the generation's
    heads and returns (boxes (K, 4), scores (K,)) sorted by score."""
    imgs = images()
    with torch.no_grad():
        model.reset_memory()
        key = model.test_feature(imgs[0:1], 0, 0, 'frame 0', (imgs[1:2], 4))
        other = model.test_feature(imgs[2:3], 2, 0, 'frame 2', None)
        train, _ = model.train_feature(imgs[3:4], imgs[None, 0:2], (9, 0, 4))
        boxes, scores = detect(other, imgs[2:3])
    return dict(key_memory=key, dfa_feature=other, train_feature=train,
                boxes=boxes[:TOP + MARGIN], scores=scores[:TOP + MARGIN])


def assert_reproduces(found: dict, expected: dict) -> None:
    """Features equal within :data:`FORWARD_TOLERANCE`; detections within
    :data:`DETECTION_TOLERANCE`, as a set: each of either side's first :data:`TOP` (by score) has
    a match among the other's first TOP + MARGIN (near-equal scores may change places)."""
    assert found.keys() == expected.keys()
    for key in ('key_memory', 'dfa_feature', 'train_feature'):
        torch.testing.assert_close(found[key], expected[key], atol=FORWARD_TOLERANCE, rtol=0,
                                   msg=key)
    assert len(expected['scores']) == TOP + MARGIN

    def detections(record):
        return torch.cat([record['boxes'], record['scores'][:, None]], dim=1)

    for one, other in ((found, expected), (expected, found)):
        mine, theirs = detections(one), detections(other)
        for i, det in enumerate(mine[:TOP]):
            gap = (theirs - det).abs().amax(dim=1).min().item()
            assert gap <= DETECTION_TOLERANCE, f'detection {i} {det.tolist()}: nearest is {gap}'
