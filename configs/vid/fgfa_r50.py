# FGFA (Zhu et al., ICCV 2017), MMTracking's registered 'FGFA', on the same Faster R-CNN R-50-DC5,
# dataset files and VID schedule as LSTS: the "flow-guided feature aggregation" baseline.
# Test (MMTracking's 'test_with_fix_stride', imagenet_vid_fgfa_style.py): 30 references at
# stride 1 in [-15, 15] around each frame, their features cached and shifted by one new frame per
# step; each frame runs FlowNetSimple (half resolution) against all cached references, warps
# their features and aggregates them with EmbedAggregator. Training: 2 references, bilateral
# uniform in +-9 frames.
# FlowNet weights: MMTracking's pretrained FlowNetSimple (URL in _base_/models/fgfa_r50_dc5.py),
# downloaded by init_weights() for real training only; tests and tools/analysis/benchmark_vid.py
# set every init_cfg to None (random weights, no downloads).
_base_ = [
    '../_base_/models/fgfa_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/schedules/imagenet_vid_7e.py',
    '../_base_/default_runtime.py'
]
test_pipeline = {{_base_.test_pipelines.fgfa}}
test_sampler = dict(num_ref_imgs=30, frame_range=[-15, 15], stride=1, method='test_with_fix_stride')
data = dict(
    train={{_base_.train_sets.fgfa}},
    val=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline),
    test=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline))
