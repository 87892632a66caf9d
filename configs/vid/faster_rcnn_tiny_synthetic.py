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
    '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    detector=dict(
        backbone=dict(
            depth=18, base_channels=16, frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False,
            init_cfg=None),
        neck=dict(in_channels=[128], out_channels=64),
        rpn_head=dict(
            in_channels=64, feat_channels=64, anchor_generator=dict(scales=[2, 4, 8])),
        roi_head=dict(
            bbox_roi_extractor=dict(out_channels=64),
            bbox_head=dict(in_channels=64, fc_out_channels=128)),
        train_cfg=dict(
            rpn_proposal=dict(nms_pre=1000, max_per_img=300),
            rcnn=dict(sampler=dict(num=128))),
        test_cfg=dict(rpn=dict(nms_pre=1000, max_per_img=100))))

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
    samples_per_gpu=1,
    workers_per_gpu=0,
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
    val=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=None,
        pipeline=test_pipeline,
        test_mode=True),
    test=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=None,
        pipeline=test_pipeline,
        test_mode=True))

# The schedule of lsts_tiny_synthetic.py (itself MMTracking's VID optimizer at lr 0.02).
optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
lr_config = dict(
    policy='step', warmup='linear', warmup_iters=50, warmup_ratio=1.0 / 3, step=[8, 11])
total_epochs = 12
checkpoint_config = dict(interval=12)
evaluation = dict(metric=['bbox'], interval=12)
log_config = dict(interval=20)
dist_params = dict(backend='gloo')
