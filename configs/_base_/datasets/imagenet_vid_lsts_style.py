# ImageNet VID (+ DET, 30 classes) as LSTS trains and tests on it. Same resize, flip and pad as
# MMTracking's VID configs. Training samples (old key, new key, current frame) with
# LSTSVIDDataset's 'lsts_triple'; testing loads each segment's middle keyframe as a reference
# at the segment's first frame ('lsts_keyframe'; ignored by key_frame_position='start').
# Annotations: python tools/convert_datasets/ilsvrc.py -i data/ILSVRC -o data/ILSVRC/annotations
dataset_type = 'LSTSVIDDataset'
data_root = 'data/ILSVRC/'
key_frame_interval = 10
img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
img_scale = (1000, 600)
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
test_sampler = dict(method='lsts_keyframe', key_frame_interval=key_frame_interval)
data = dict(
    samples_per_gpu=1,
    workers_per_gpu=2,
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
