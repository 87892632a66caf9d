# Tiny FGFA for CPU, beside configs/vid/lsts_tiny_synthetic.py: the same 16-channel
# ResNet-18-DC5 detector (GroupNorm, from scratch), the same synthetic data, scale and schedule;
# FGFA's own samplers and test procedure (30 references at fixed stride 1, 'test_with_fix_stride').
# FlowNetSimple keeps its full size (it has no width knob; about 38M parameters, random init):
# at this scale its 31 flow passes per frame dominate the cost.
_base_ = [
    '../_base_/models/fgfa_r50_dc5.py',
    '../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
model = dict(
    detector={{_base_.tiny_detector}}, motion=dict(init_cfg=None), aggregator=dict(channels=64))
test_pipeline = {{_base_.test_pipelines.fgfa}}
test_sampler = dict(num_ref_imgs=30, frame_range=[-15, 15], stride=1, method='test_with_fix_stride')
data = dict(
    train={{_base_.train_sets.fgfa}},
    val=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline),
    test=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline))
