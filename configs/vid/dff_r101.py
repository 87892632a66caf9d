# DFF, Faster R-CNN R-101-DC5: the backbone of the paper's comparison; everything else as dff_r50.py.
_base_ = ['./dff_r50.py']
model = dict(detector=dict(backbone=dict(
    depth=101, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'))))
