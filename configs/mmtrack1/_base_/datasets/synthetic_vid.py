# The synthetic VID set of tools/make_synthetic_vid.py (ILSVRC layout under data/synthetic_vid)
# for MMTracking 1.x, as configs/_base_/datasets/synthetic_vid.py is for 0.x: the same dataset
# class, samplers and keyframe schedule, at 320x256 and without dataloader workers (CPU runs).
# `train_sets` holds each method style's two training sets (videos, stills) for
# `train_dataloader = dict(dataset=dict(datasets={{_base_.train_sets.fgfa}}))`.
dataset_type = 'LSTSVIDDataset'
data_root = 'data/synthetic_vid/ILSVRC/'
img_scale = (320, 256)
train_sampler = dict(method='lsts_triple', old_range=(-10, -6), new_range=(-5, 4))
online_train_sampler = dict(method='lsts_triple', old_range=(-15, -11), new_range=(-10, -1))
test_sampler = dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position='middle')
online_test_sampler = dict(test_sampler, key_frame_position='start')

train_pipeline = [
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadTrackAnnotations', with_instance_id=True),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
        ]),
    dict(type='PackTrackInputs', pack_single_img=False)
]
videos = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations/imagenet_vid_train.json',
    data_prefix=dict(img_path='Data/VID'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=train_pipeline,
    load_as_video=True,
    ref_img_sampler=train_sampler)
stills = dict(
    videos,
    ann_file='annotations/imagenet_det_30plus1cls.json',
    data_prefix=dict(img_path='Data/DET'),
    load_as_video=False)
fgfa_sampler = dict(num_ref_imgs=2, frame_range=9, filter_key_img=True, method='bilateral_uniform')
train_sets = dict(
    lsts=[videos, stills],
    online=[dict(videos, ref_img_sampler=online_train_sampler), stills],
    fgfa=[dict(videos, ref_img_sampler=fgfa_sampler),
          dict(stills, ref_img_sampler=dict(fgfa_sampler, frame_range=0, filter_key_img=False))])

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(type='ConcatDataset', datasets=train_sets['lsts']))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/imagenet_vid_val.json',
        data_prefix=dict(img_path='Data/VID'),
        pipeline=test_pipeline,
        load_as_video=True,
        ref_img_sampler=test_sampler,
        test_mode=True))
test_dataloader = val_dataloader
# COCO bbox mAP and FGFA's mAP by motion speed (mmlsts' MotionMetric, docs/motion.md)
val_evaluator = [
    dict(type='CocoVideoMetric', ann_file=data_root + 'annotations/imagenet_vid_val.json',
         metric='bbox'),
    dict(type='MotionMetric', ann_file=data_root + 'annotations/imagenet_vid_val.json')
]
test_evaluator = val_evaluator
