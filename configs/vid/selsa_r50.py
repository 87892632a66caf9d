# SELSA (Wu et al., ICCV 2019), MMTracking's registered 'SELSA', on the same Faster R-CNN
# R-50-DC5, dataset files and VID schedule as LSTS: the "sequence-level semantic aggregation"
# baseline. Test (MMTracking's 'test_with_adaptive_stride'): 14 references spread evenly over
# the whole video (offline), their features extracted once at frame 0; every frame runs the RPN
# on itself and the 14 references and aggregates RoI features across them (SelsaAggregator).
# Training as MMTracking's SELSA: 2 references, bilateral uniform in +-9 frames.
_base_ = [
    '../_base_/models/selsa_r50_dc5.py',
    '../_base_/datasets/imagenet_vid_lsts_style.py',
    '../_base_/schedules/imagenet_vid_7e.py',
    '../_base_/default_runtime.py'
]
test_pipeline = {{_base_.test_pipelines.fgfa}}
test_sampler = dict(num_ref_imgs=14, frame_range=[-7, 7], method='test_with_adaptive_stride')
data = dict(
    train={{_base_.train_sets.fgfa}},
    val=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline),
    test=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline))
