# LSTS, Faster R-CNN R-50-DC5, ImageNet VID + DET, MMTracking 1.x's VID schedule (7 epochs,
# 8 GPUs x 1), as configs/vid/lsts_r50.py for MMTracking 0.x.
_base_ = [
    '../_base_/models/lsts_r50-dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    'mmtrack::_base_/default_runtime.py'
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=7, val_interval=7)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# Official: offsets learn 2.5x faster than the rest, without weight decay.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2),
    paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=7, by_epoch=True, milestones=[2, 5], gamma=0.1)
]
# Still images train the plain detector path, leaving SRFU/DFA without gradients in that step.
find_unused_parameters = True
visualizer = dict(type='DetLocalVisualizer')
