# LSTS, Faster R-CNN R-101-DC5 (the paper's backbone), MMTracking 1.x; everything else as
# lsts_faster-rcnn_r50-dc5_8xb1-7e_imagenetvid.py.
_base_ = ['./lsts_faster-rcnn_r50-dc5_8xb1-7e_imagenetvid.py']
model = dict(detector=dict(backbone=dict(
    depth=101, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'))))
