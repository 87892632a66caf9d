# ImageNet VID (+ DET, 30 classes) as LSTS trains and tests on it, for MMTracking 1.x: MMTracking's
# imagenet_vid_fgfa_style.py with LSTSVIDDataset's samplers. Training samples (old key, new key,
# current frame) with 'lsts_triple'; testing loads each segment's keyframe as a reference at the
# segment's first frame ('lsts_keyframe'). The keyframe schedule is set here only
# (mmlsts/keyframes.py); online configs take `online_test_sampler`.
_base_ = ['mmtrack::_base_/datasets/imagenet_vid_fgfa_style.py']
dataset_type = 'LSTSVIDDataset'
data_root = 'data/ILSVRC/'
train_sampler = dict(method='lsts_triple', old_range=(-10, -6), new_range=(-5, 4))
online_train_sampler = dict(method='lsts_triple', old_range=(-15, -11), new_range=(-10, -1))
test_sampler = dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position='middle')
online_test_sampler = dict(test_sampler, key_frame_position='start')
videos = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations/imagenet_vid_train.json',
    data_prefix=dict(img_path='Data/VID'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline={{_base_.train_pipeline}},
    load_as_video=True,
    ref_img_sampler=train_sampler)
stills = dict(
    videos,
    ann_file='annotations/imagenet_det_30plus1cls.json',
    data_prefix=dict(img_path='Data/DET'),
    load_as_video=False)
train_dataloader = dict(dataset=dict(datasets=[videos, stills]))
val_dataloader = dict(
    dataset=dict(type=dataset_type, ref_img_sampler=dict(_delete_=True, **test_sampler)))
test_dataloader = val_dataloader
# COCO bbox mAP and FGFA's mAP by motion speed (mmlsts' MotionMetric, docs/motion.md)
val_evaluator = [
    dict(type='CocoVideoMetric', ann_file=data_root + 'annotations/imagenet_vid_val.json',
         metric='bbox'),
    dict(type='MotionMetric', ann_file=data_root + 'annotations/imagenet_vid_val.json')
]
test_evaluator = val_evaluator
