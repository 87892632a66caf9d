# The schedule and runtime of the tiny CPU configs for MMTracking 1.x, as
# configs/_base_/schedules/synthetic_vid_12e.py for 0.x: MMTracking's VID optimizer at lr 0.02,
# 12 epochs (steps after 8 and 11, warm-up 50 iterations), one checkpoint and one evaluation at
# the end, gloo.
_base_ = ['mmtrack::_base_/default_runtime.py']
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=12)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20), checkpoint=dict(type='CheckpointHook',
                                                                 interval=12))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
visualizer = dict(type='DetLocalVisualizer')
