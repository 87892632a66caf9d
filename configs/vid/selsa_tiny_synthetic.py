# Tiny SELSA for CPU, beside configs/vid/lsts_tiny_synthetic.py: the same 16-channel
# ResNet-18-DC5 detector (GroupNorm, from scratch), the same synthetic data, scale and schedule;
# SELSA's own samplers and test procedure (14 references, 'test_with_adaptive_stride').
_base_ = [
    '../_base_/models/selsa_r50_dc5.py',
    '../_base_/models/faster_rcnn_tiny_dc5.py',
    '../_base_/datasets/synthetic_vid.py',
    '../_base_/schedules/synthetic_vid_12e.py'
]
# The tiny detector, part by part: SELSA's bbox head also narrows its aggregator to the 128 FC
# channels (mmcv substitutes whole values only, so the bbox head is written out).
model = dict(
    detector=dict(
        backbone={{_base_.tiny_detector.backbone}},
        neck={{_base_.tiny_detector.neck}},
        rpn_head={{_base_.tiny_detector.rpn_head}},
        roi_head=dict(
            bbox_roi_extractor={{_base_.tiny_detector.roi_head.bbox_roi_extractor}},
            bbox_head=dict(in_channels=64, fc_out_channels=128, aggregator=dict(in_channels=128))),
        train_cfg={{_base_.tiny_detector.train_cfg}},
        test_cfg={{_base_.tiny_detector.test_cfg}}))
test_pipeline = {{_base_.test_pipelines.fgfa}}
test_sampler = dict(num_ref_imgs=14, frame_range=[-7, 7], method='test_with_adaptive_stride')
data = dict(
    train={{_base_.train_sets.fgfa}},
    val=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline),
    test=dict(ref_img_sampler=dict(_delete_=True, **test_sampler), pipeline=test_pipeline))
