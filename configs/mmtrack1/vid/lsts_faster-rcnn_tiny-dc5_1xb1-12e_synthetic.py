# Tiny LSTS for CPU on MMTracking 1.x, as configs/vid/lsts_tiny_synthetic.py for 0.x: a 16-channel
# ResNet-18-DC5 (GroupNorm, from scratch) on the synthetic VID set. For the quick-start, tests
# and demos; numbers from it say "the pipeline learns", not "the method is good".
_base_ = [
    '../_base_/models/lsts_r50-dc5.py',
    '../../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
model = {{_base_.tiny_lsts}}
# As lsts_faster-rcnn_r50-dc5_8xb1-7e_imagenetvid.py: offsets at 2.5x the learning rate without weight decay; unused SRFU/DFA on DET.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
find_unused_parameters = True
