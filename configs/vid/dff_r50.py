# DFF (Zhu et al., CVPR 2017), MMTracking's registered 'DFF', on the same Faster R-CNN R-50-DC5,
# dataset files and VID schedule as LSTS: the "flow-warped keyframe feature" baseline.
# Test: keyframe when frame_id % 10 == 0 (online); other frames warp the keyframe's feature with
# FlowNetSimple at half resolution. Pipelines and samplers are MMTracking's DFF ones
# (imagenet_vid_dff_style.py): one uniform reference in +-9 frames for training, none at test.
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
    type='DFF',
    detector=dict(
        train_cfg=dict(
            rpn_proposal=dict(max_per_img=1000),
            rcnn=dict(sampler=dict(num=512)))),
    motion=dict(
        type='FlowNetSimple',
        img_scale_factor=0.5,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmtracking/pretrained_weights/flownet_simple.pth')),
    train_cfg=None,
    test_cfg=dict(key_frame_interval=10))

dataset_type = 'LSTSVIDDataset'  # falls back to MMTracking's samplers for non-'lsts_*' methods
data_root = 'data/ILSVRC/'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiScaleFlipAug',
        img_scale=(1000, 600),
        flip=False,
        transforms=[
            dict(type='Resize', keep_ratio=True),
            dict(type='RandomFlip'),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='Pad', size_divisor=16),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='VideoCollect', keys=['img'])
        ])
]
data = dict(
    train=[
        dict(
            type=dataset_type,
            ann_file=data_root + 'annotations/imagenet_vid_train.json',
            img_prefix=data_root + 'Data/VID',
            ref_img_sampler=dict(
                num_ref_imgs=1, frame_range=9, filter_key_img=False, method='uniform'),
            pipeline={{_base_.train_pipeline}}),
        dict(
            type=dataset_type,
            load_as_video=False,
            ann_file=data_root + 'annotations/imagenet_det_30plus1cls.json',
            img_prefix=data_root + 'Data/DET',
            ref_img_sampler=dict(
                num_ref_imgs=1, frame_range=0, filter_key_img=False, method='uniform'),
            pipeline={{_base_.train_pipeline}})
    ],
    val=dict(ref_img_sampler=None, pipeline=test_pipeline),
    test=dict(ref_img_sampler=None, pipeline=test_pipeline))

# MMTracking's VID schedule (8 GPUs x 1 image).
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
lr_config = dict(
    policy='step', warmup='linear', warmup_iters=500, warmup_ratio=1.0 / 3, step=[2, 5])
total_epochs = 7
evaluation = dict(metric=['bbox'], interval=7)
