# Tiny LSTS for CPU on MMTracking 1.x, as configs/vid/lsts_tiny_synthetic.py for 0.x: a 16-channel
# ResNet-18-DC5 (GroupNorm, from scratch) on the synthetic VID set. For the quick-start, tests
# and demos; numbers from it say "the pipeline learns", not "the method is good".
_base_ = [
    '../_base_/models/lsts_r50-dc5.py',
    '../_base_/models/faster-rcnn_tiny-dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
model = dict(
    low_level=('layer3', 1),
    detector={{_base_.tiny_detector}},
    srfu=dict(in_channels=64, lsts=dict(embed_channels=32), quality=dict(mid_channels=(32, 8))),
    dfa=dict(
        in_channels=64, low_channels=64, lsts=dict(embed_channels=32),
        quality=dict(mid_channels=(32, 8)), low2high=dict(mid_channels=32)))
# As lsts_r50.py: offsets at 2.5x the learning rate without weight decay; unused SRFU/DFA on DET.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'offsets': dict(lr_mult=2.5, decay_mult=0.0)}))
find_unused_parameters = True
