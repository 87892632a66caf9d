# FGFA (Zhu et al., ICCV 2017), MMTracking's registered 'FGFA', on the same Faster R-CNN R-50-DC5,
# dataset files and VID schedule as LSTS: the "flow-guided feature aggregation" baseline.
# Test (MMTracking's 'test_with_fix_stride', imagenet_vid_fgfa_style.py): 30 references at
# stride 1 in [-15, 15] around each frame, their features cached and shifted by one new frame per
# step; each frame runs FlowNetSimple (half resolution) against all cached references, warps
# their features and aggregates them with EmbedAggregator. Training: 2 references, bilateral
# uniform in +-9 frames.
# FlowNet weights: MMTracking's pretrained FlowNetSimple from the OpenMMLab URL below, downloaded
# by init_weights() for real training only; tests and tools/analysis/benchmark_vid.py set every
# init_cfg to None (random weights, no downloads).
_base_ = [
    '../_base_/models/faster_rcnn_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = dict(
    type='FGFA',
    motion=dict(
        type='FlowNetSimple',
        img_scale_factor=0.5,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmtracking/pretrained_weights/flownet_simple.pth')),
    aggregator=dict(type='EmbedAggregator', num_convs=1, channels=512, kernel_size=3))

dataset_type = 'LSTSVIDDataset'  # falls back to MMTracking's samplers for non-'lsts_*' methods
data_root = 'data/ILSVRC/'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_pipeline = [
    dict(type='LoadMultiImagesFromFile'),
    dict(type='SeqResize', img_scale=(1000, 600), keep_ratio=True),
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
    train=[
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=dict(
                num_ref_imgs=2, frame_range=9, filter_key_img=True, method='bilateral_uniform'),
            pipeline={{_base_.train_pipeline}}),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=dict(
                num_ref_imgs=2, frame_range=0, filter_key_img=False,
                method='bilateral_uniform'),
            pipeline={{_base_.train_pipeline}})
    ],
    val=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline),
    test=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline))

# MMTracking's VID schedule (8 GPUs x 1 image).
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
lr_config = dict(
    policy='step', warmup='linear', warmup_iters=500, warmup_ratio=1.0 / 3, step=[2, 5])
total_epochs = 7
evaluation = dict(metric=['bbox'], interval=7)
