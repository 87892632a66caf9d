# Tiny DFF for CPU, beside configs/vid/lsts_tiny_synthetic.py: the same 16-channel
# ResNet-18-DC5 detector (GroupNorm, from scratch), the same synthetic data, scale and schedule;
# DFF's own samplers and test procedure (keyframe every 10). FlowNetSimple keeps its full size
# (it has no width knob; about 38M parameters, random init): at this scale it dominates the cost.
_base_ = [
    '../_base_/models/dff_r50_dc5.py',
    '../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
model = dict(detector={{_base_.tiny_detector}}, motion=dict(init_cfg=None))
test_pipeline = {{_base_.test_pipelines.dff}}
data = dict(
    train={{_base_.train_sets.dff}},
    val=dict(ref_img_sampler=None, pipeline=test_pipeline),
    test=dict(ref_img_sampler=None, pipeline=test_pipeline))
