# Tiny LSTS for CPU: a 16-channel ResNet-18-DC5 (GroupNorm, trained from scratch, no download) on
# the synthetic VID set of tools/make_synthetic_vid.py. For the quick-start, tests and demos;
# numbers from it say "the pipeline learns", not "the method is good".
_base_ = [
    '../_base_/models/lsts_r50_dc5.py',
    '../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
model = {{_base_.tiny_lsts}}
# As lsts_r50.py: offsets at 2.5x the learning rate without weight decay; unused SRFU/DFA on DET.
optimizer = dict(paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
find_unused_parameters = True
