# DFF (MMTracking's registered 'DFF') around the Faster R-CNN R-50-DC5: keyframe when
# frame_id % 10 == 0; other frames warp the keyframe's feature with FlowNetSimple at half
# resolution. FlowNet weights: MMTracking's pretrained FlowNetSimple from the OpenMMLab URL below,
# downloaded by init_weights() for real training only.
_base_ = ['./faster_rcnn_r50_dc5.py']
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
