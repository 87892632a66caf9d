# Tiny LSTS for CPU: a 16-channel ResNet-18-DC5 (GroupNorm, trained from scratch, no download) on
# the synthetic VID set of tools/make_synthetic_vid.py. For the quick-start, tests and demos;
# numbers from it say "the pipeline learns", not "the method is good".
_base_ = ['./lsts_r50.py']
data_root = 'data/synthetic_vid/ILSVRC/'
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    low_level=('layer3', 1),
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
    srfu=dict(in_channels=64, lsts=dict(embed_channels=32), quality=dict(mid_channels=(32, 8))),
    dfa=dict(
        in_channels=64, low_channels=64, lsts=dict(embed_channels=32),
        quality=dict(mid_channels=(32, 8)), low2high=dict(mid_channels=32)),
    test_cfg=dict(key_frame_interval=10, key_frame_position='middle'))

dataset_type = 'LSTSVIDDataset'
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
    dict(type='VideoCollect', keys=['img'], meta_keys=('video_id', )),
    dict(type='ConcatVideoReferences'),
    dict(type='MultiImagesToTensor', ref_prefix='ref'),
    dict(type='ToList')
]
train_sampler = dict(method='lsts_triple', old_range=(-10, -6), new_range=(-5, 4))
test_sampler = dict(method='lsts_keyframe', key_frame_interval=10)
data = dict(
    samples_per_gpu=1,
    workers_per_gpu=0,
    train=[
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=train_sampler,
            pipeline=train_pipeline),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=train_sampler,
            pipeline=train_pipeline)
    ],
    val=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=test_sampler,
        pipeline=test_pipeline,
        test_mode=True),
    test=dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=test_sampler,
        pipeline=test_pipeline,
        test_mode=True))

optimizer = dict(lr=0.02)
lr_config = dict(warmup_iters=50, step=[8, 11])
total_epochs = 12
checkpoint_config = dict(interval=12)
evaluation = dict(metric=['bbox'], interval=12)
log_config = dict(interval=20)
dist_params = dict(backend='gloo')
