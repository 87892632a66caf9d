# LSTS, Faster R-CNN R-101-DC5 (the paper's backbone), MMTracking 1.x; everything else as
# lsts_r50.py.
_base_ = ['./lsts_r50.py']
model = dict(detector=dict(backbone=dict(
    depth=101, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'))))
