# FGFA (MMTracking's registered 'FGFA') around the Faster R-CNN R-50-DC5: FlowNetSimple (half
# resolution) warps the references' features to the current frame and EmbedAggregator weighs
# them. FlowNet weights: MMTracking's pretrained FlowNetSimple from the OpenMMLab URL below,
# downloaded by init_weights() for real training only.
_base_ = ['./faster_rcnn_r50_dc5.py']
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
