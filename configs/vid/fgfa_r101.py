# FGFA, Faster R-CNN R-101-DC5: the backbone of the paper's comparison; everything else as fgfa_r50.py.
_base_ = ['./fgfa_r50.py']
model = dict(detector=dict(backbone=dict(
    depth=101, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'))))
