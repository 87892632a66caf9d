# DFF (Zhu et al., CVPR 2017), MMTracking's registered 'DFF', on the same Faster R-CNN R-50-DC5,
# dataset files and VID schedule as LSTS: the "flow-warped keyframe feature" baseline.
# Test: keyframe when frame_id % 10 == 0 (online); other frames warp the keyframe's feature with
# FlowNetSimple at half resolution. Pipelines and samplers are MMTracking's DFF ones
# (imagenet_vid_dff_style.py): one uniform reference in +-9 frames for training, none at test.
# FlowNet weights: MMTracking's pretrained FlowNetSimple (URL in _base_/models/dff_r50_dc5.py),
# downloaded by init_weights() for real training only; tests and tools/analysis/benchmark_vid.py
# set every init_cfg to None (random weights, no downloads).
_base_ = [
    '../_base_/models/dff_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/schedules/imagenet_vid_7e.py',
    '../_base_/default_runtime.py'
]
test_pipeline = {{_base_.test_pipelines.dff}}
data = dict(
    train={{_base_.train_sets.dff}},
    val=dict(ref_img_sampler=None, pipeline=test_pipeline),
    test=dict(ref_img_sampler=None, pipeline=test_pipeline))
