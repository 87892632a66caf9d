# LSTS, Faster R-CNN R-50-DC5, ImageNet VID + DET, MMTracking's VID schedule (7 epochs, 8 GPUs x 1).
_base_ = [
    '../_base_/models/lsts_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/default_runtime.py'
]
# Official: offsets learn 2.5x faster than the rest, without weight decay.
optimizer = dict(
    type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001,
    paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
lr_config = dict(
    policy='step', warmup='linear', warmup_iters=500, warmup_ratio=1.0 / 3, step=[2, 5])
total_epochs = 7
evaluation = dict(metric=['bbox'], interval=7)
# Still images train the plain detector path, leaving SRFU/DFA without gradients in that step.
find_unused_parameters = True
