# The synthetic VID set of tools/make_synthetic_vid.py (ILSVRC layout under data/synthetic_vid),
# read as imagenet_vid_lsts_style.py reads ImageNet VID: the same dataset class, samplers,
# transforms and method styles, at 320x256 and without dataloader workers (CPU runs). The text
# below repeats that file's but for the root, the scale and the workers: mmcv evaluates each file
# on its own, so a base cannot be re-run with another root.
dataset_type = 'LSTSVIDDataset'
data_root = 'data/synthetic_vid/ILSVRC/'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
img_scale = (320, 256)
train_sampler = dict(method='lsts_triple', old_range=(-10, -6), new_range=(-5, 4))
online_train_sampler = dict(method='lsts_triple', old_range=(-15, -11), new_range=(-10, -1))
# The keyframe schedule, set here only (mmlsts/keyframes.py): each segment of 10 frames is detected
# on its middle keyframe (the official tester), loaded at the segment's first frame; the online
# configs key each segment at its start instead (online_test_sampler).
test_sampler = dict(method='lsts_keyframe', key_frame_interval=10, key_frame_position='middle')
online_test_sampler = dict(test_sampler, key_frame_position='start')

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


def video_test_pipeline(meta_keys):  # functions stay out of the config: mmcv drops them
    return [
        dict(type='LoadMultiImagesFromFile'),
        dict(type='SeqResize', img_scale=img_scale, keep_ratio=True),
        dict(type='SeqRandomFlip', share_params=True, flip_ratio=0.0),
        dict(type='SeqNormalize', **img_norm_cfg),
        dict(type='SeqPad', size_divisor=16),
        dict(type='VideoCollect', keys=['img'], meta_keys=meta_keys),
        dict(type='ConcatVideoReferences'),
        dict(type='MultiImagesToTensor', ref_prefix='ref'),
        dict(type='ToList')
    ]


def train_set(vid_sampler, det_sampler):
    """The VID and DET training sets, with one reference sampler each."""
    return [
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=vid_sampler,
            pipeline=train_pipeline),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=det_sampler,
            pipeline=train_pipeline)
    ]


def test_set(sampler, pipeline):
    return dict(
        type=dataset_type,
        ann_file=data_root + 'annotations/imagenet_vid_val.json',
        img_prefix=data_root + 'Data/VID',
        ref_img_sampler=sampler,
        pipeline=pipeline,
        test_mode=True)


test_pipeline = video_test_pipeline(('video_id', ))
data = dict(
    samples_per_gpu=1,
    workers_per_gpu=0,
    train=train_set(train_sampler, train_sampler),
    val=test_set(test_sampler, test_pipeline),
    test=test_set(test_sampler, test_pipeline))

# LSTS online and the other methods' styles on this data, for `{{_base_.train_sets.dff}}` and
# the like: LSTS's causal triples (the lab's lsts_tiny_benchmark_online.py), MMTracking's
# imagenet_vid_dff_style.py (one uniform reference in +-9 frames, single-frame test) and
# imagenet_vid_fgfa_style.py (two bilateral references; SELSA trains and tests as FGFA).
train_sets = dict(
    online=train_set(online_train_sampler, online_train_sampler),
    dff=train_set(
        dict(num_ref_imgs=1, frame_range=9, filter_key_img=False, method='uniform'),
        dict(num_ref_imgs=1, frame_range=0, filter_key_img=False, method='uniform')),
    fgfa=train_set(
        dict(num_ref_imgs=2, frame_range=9, filter_key_img=True, method='bilateral_uniform'),
        dict(num_ref_imgs=2, frame_range=0, filter_key_img=False, method='bilateral_uniform')))
test_pipelines = dict(
    dff=[
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
                dict(type='VideoCollect', keys=['img'])
            ])
    ],
    fgfa=video_test_pipeline(('num_left_ref_imgs', 'frame_stride')))
