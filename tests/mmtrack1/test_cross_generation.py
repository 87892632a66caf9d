"""MMTracking 1.x's side of the cross-generation record (tests/cross_generation.py): the LSTS
samplers and the tiny LSTS forward here reproduce the record that the MMTracking 0.x suite
(tests/test_cross_generation.py) checks too, so both generations load the same frames and
compute the same features and detections on the same weights and images."""
import json
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules

from mmlsts.mmtrack1.datasets import LSTSVIDDataset
from tests.conftest import DATA_ROOT
from tests.cross_generation import (
    RECORD,
    WORKSPACE,
    assert_reproduces,
    fill_deterministic,
    forward_record,
    sampler_frames,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
register_all_modules(init_default_scope=True)


def record_of_samplers(root) -> dict:
    def dataset(split, sampler):
        return LSTSVIDDataset(data_root=str(root / DATA_ROOT),
                              ann_file=f'annotations/imagenet_vid_{split}.json',
                              data_prefix=dict(img_path='Data/VID'), pipeline=[],
                              ref_img_sampler=sampler, test_mode=split == 'val')

    def frames_of(idx, sampler):
        data = dataset('val' if sampler['method'] == 'lsts_keyframe' else 'train', sampler)
        infos = data.ref_img_sampling(idx, data.get_data_info(idx), **sampler)
        return [info['frame_id'] for info in infos]

    val = dataset('val', None)
    train = dataset('train', dict(method='lsts_triple'))
    return sampler_frames(frames_of, len(val), len(train))


def record_of_forward() -> dict:
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mmtrack1', 'vid',
                                   'lsts_faster-rcnn_tiny-dc5_1xb1-12e_synthetic.py'))
    model = MODELS.build(cfg.model)
    fill_deterministic(model)
    model.eval()

    def detect(x, img):
        shape = tuple(img.shape[2:])
        sample = TrackDataSample(metainfo=dict(img_shape=shape, ori_shape=shape,
                                               pad_shape=shape, scale_factor=(1.0, 1.0)))
        proposals = model.detector.rpn_head.predict((x,), [sample], rescale=False)
        dets: InstanceData = model.detector.roi_head.predict((x,), proposals, [sample],
                                                             rescale=False)[0]
        order = dets.scores.argsort(descending=True, stable=True)
        return dets.bboxes[order], dets.scores[order]

    return forward_record(model, detect)


def test_samplers_reproduce_the_record(make_workspace):
    root = make_workspace('cross', seed=0, **WORKSPACE)
    with open(RECORD + '.json') as f:
        assert record_of_samplers(root) == json.load(f)


def test_forward_reproduces_the_record():
    assert_reproduces(record_of_forward(), torch.load(RECORD + '.pt', weights_only=True))
