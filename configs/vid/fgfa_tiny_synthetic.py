# Tiny FGFA for CPU, beside configs/vid/lsts_tiny_synthetic.py: the same 16-channel
# ResNet-18-DC5 detector (GroupNorm, from scratch), the same synthetic data, scale and schedule;
# FGFA's own samplers and test procedure (30 references at fixed stride 1, 'test_with_fix_stride').
# FlowNetSimple keeps its full size (it has no width knob; about 38M parameters, random init):
# at this scale its 31 flow passes per frame dominate the cost.
_base_ = ['./fgfa_r50.py']
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
        test_cfg=dict(rpn=dict(nms_pre=1000, max_per_img=100))),
    motion=dict(init_cfg=None),
    aggregator=dict(channels=64))

dataset_type = 'LSTSVIDDataset'
data_root = 'data/synthetic_vid/ILSVRC/'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
img_scale = (320, 256)
train_pipeline = [
    dict(type='LoadMultiImagesFromFile'),
    dict(type='SeqLoadAnnotations', with_bbox=True, with_track=True),
    dict(type='SeqResize', img_scale=img_scale, keep_ratio=True),
    dict(type='SeqRandomFlip', share_params=True, flip_ratio=0.5),
    dict(type='SeqNormalize', **img_norm_cfg),
    dict(type='SeqPad', size_divisor=16),
    dict(type='VideoCollect', keys=['img', 'gt_bboxes', 'gt_labels', 'gt_instance_ids']),
    dict(type='ConcatVideoReferences'),
    dict(type='SeqDefaultFormatBundle', ref_prefix='ref')
]
test_pipeline = [
    dict(type='LoadMultiImagesFromFile'),
    dict(type='SeqResize', img_scale=img_scale, keep_ratio=True),
    dict(type='SeqRandomFlip', share_params=True, flip_ratio=0.0),
    dict(type='SeqNormalize', **img_norm_cfg),
    dict(type='SeqPad', size_divisor=16),
    dict(type='VideoCollect', keys=['img'], meta_keys=('num_left_ref_imgs', 'frame_stride')),
    dict(type='ConcatVideoReferences'),
    dict(type='MultiImagesToTensor', ref_prefix='ref'),
    dict(type='ToList')
]
test_sampler = dict(num_ref_imgs=30, frame_range=[-15, 15], stride=1, method='test_with_fix_stride')
data = dict(
    samples_per_gpu=1,
    workers_per_gpu=0,
    train=[
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=dict(
                num_ref_imgs=2, frame_range=9, filter_key_img=True, method='bilateral_uniform'),
            pipeline=train_pipeline),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=dict(
                num_ref_imgs=2, frame_range=0, filter_key_img=False,
                method='bilateral_uniform'),
            pipeline=train_pipeline)
    ],
    val=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=dict(_delete_=True, **test_sampler),
        pipeline=test_pipeline,
        test_mode=True),
    test=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=dict(_delete_=True, **test_sampler),
        pipeline=test_pipeline,
        test_mode=True))

# The schedule of lsts_tiny_synthetic.py.
optimizer = dict(lr=0.02)
lr_config = dict(warmup_iters=50, step=[8, 11])
total_epochs = 12
checkpoint_config = dict(interval=12)
evaluation = dict(metric=['bbox'], interval=12)
log_config = dict(interval=20)
dist_params = dict(backend='gloo')
