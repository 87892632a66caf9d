# Single-frame baseline for the tiny CPU configs: the plain mmdet Faster R-CNN of
# configs/vid/lsts_tiny_synthetic.py (16-channel ResNet-18-DC5, GroupNorm, from scratch), trained
# and tested frame by frame on the same synthetic VID set, scale and schedule. USE_MMDET = True
# makes MMTracking's tools/train.py and tools/test.py (ours wrap them) build cfg.model.detector
# with mmdet and run mmdet's train/test loops, as MMTracking's own configs/det/ do; the dataset
# stays LSTSVIDDataset (an ImagenetVIDDataset) without reference frames, and its COCO-style
# evaluation takes mmdet's per-image results.
from mmdet.utils import get_device

USE_MMDET = True
# mmdet 2.28's train_detector reads cfg.device, which mmdet's tools/train.py sets and MMTracking
# 0.14's does not: set it here the same way ('cuda' when there is a GPU, else 'cpu').
device = get_device()
_base_ = [
    '../_base_/models/faster_rcnn_r50_dc5.py',
    '../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = dict(detector={{_base_.tiny_detector}})

# mmdet's single-image transforms in place of the synthetic base's video ones; the names below
# are that base's values, written again because a base's values are not Python names here.
dataset_type = 'LSTSVIDDataset'
data_root = 'data/synthetic_vid/ILSVRC/'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
img_scale = (320, 256)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', img_scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='Pad', size_divisor=16),
    dict(type='DefaultFormatBundle'),
    dict(type='Collect', keys=['img', 'gt_bboxes', 'gt_labels'])
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiScaleFlipAug',
        img_scale=img_scale,
        flip=False,
        transforms=[
            dict(type='Resize', keep_ratio=True),
            dict(type='RandomFlip'),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='Pad', size_divisor=16),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='Collect', keys=['img'])
        ])
]
data = dict(
    train=[
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=None,
            pipeline=train_pipeline),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=None,
            pipeline=train_pipeline)
    ],
    val=dict(ref_img_sampler=None, pipeline=test_pipeline),
    test=dict(ref_img_sampler=None, pipeline=test_pipeline))
