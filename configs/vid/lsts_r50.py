# LSTS, Faster R-CNN R-50-DC5, ImageNet VID + DET, MMTracking's VID schedule (7 epochs, 8 GPUs x 1).
_base_ = [
    '../_base_/models/lsts_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/schedules/imagenet_vid_7e.py',
    '../_base_/default_runtime.py'
]
# Official: offsets learn 2.5x faster than the rest, without weight decay.
optimizer = dict(paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
# Still images train the plain detector path, leaving SRFU/DFA without gradients in that step.
find_unused_parameters = True
