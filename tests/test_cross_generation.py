"""MMTracking 0.x's side of the cross-generation record (tests/cross_generation.py): the LSTS
samplers and the tiny LSTS forward here reproduce the record that the MMTracking 1.x suite
(tests/mmtrack1/test_cross_generation.py) checks too, so both generations load the same frames
and compute the same features and detections on the same weights and images."""
import json

import numpy as np
import pytest
import torch
from mmcv import Config
from mmtrack.models import build_model

from mmlsts.datasets import LSTSVIDDataset
from tests.conftest import DATA_ROOT
from tests.cross_generation import (
    RECORD,
    WORKSPACE,
    assert_reproduces,
    fill_deterministic,
    forward_record,
    sampler_frames,
)


def record_of_samplers(root) -> dict:
    ann = root / DATA_ROOT / 'annotations'

    def dataset(split, sampler):
        return LSTSVIDDataset(ann_file=str(ann / f'imagenet_vid_{split}.json'),
                              img_prefix=str(root / DATA_ROOT / 'Data' / 'VID'), pipeline=[],
                              ref_img_sampler=sampler, test_mode=split == 'val')

    def frames_of(idx, sampler):
        data = dataset('val' if sampler['method'] == 'lsts_keyframe' else 'train', sampler)
        return [info['frame_id'] for info in data.ref_img_sampling(data.data_infos[idx],
                                                                   **sampler)]

    val = dataset('val', None)
    train = dataset('train', dict(method='lsts_triple'))
    return sampler_frames(frames_of, len(val), len(train))


def record_of_forward() -> dict:
    cfg = Config.fromfile('configs/vid/lsts_tiny_synthetic.py')
    model = build_model(cfg.model)
    fill_deterministic(model)
    model.eval()

    def detect(x, img):
        meta = dict(img_shape=(*img.shape[2:], 3), ori_shape=(*img.shape[2:], 3),
                    pad_shape=(*img.shape[2:], 3), scale_factor=np.ones(4, np.float32),
                    flip=False)
        proposals = model.detector.rpn_head.simple_test_rpn([x], [meta])
        per_class = model.detector.roi_head.simple_test([x], proposals, [meta])[0]
        dets = torch.from_numpy(np.concatenate(per_class))
        order = dets[:, 4].argsort(descending=True, stable=True)
        return dets[order, :4], dets[order, 4]

    return forward_record(model, detect)


def test_samplers_reproduce_the_record(make_workspace):
    root = make_workspace('cross', seed=0, **WORKSPACE)
    with open(RECORD + '.json') as f:
        assert record_of_samplers(root) == json.load(f)


def test_forward_reproduces_the_record():
    assert_reproduces(record_of_forward(), torch.load(RECORD + '.pt', weights_only=True))


@pytest.fixture(scope='module', autouse=True)
def in_repo(request):
    """Configs are read by repo-relative paths."""
    import os
    old = os.getcwd()
    os.chdir(request.config.rootpath)
    yield
    os.chdir(old)
