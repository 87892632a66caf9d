# The detector of the tiny CPU configs for MMTracking 1.x, as
# configs/_base_/models/faster_rcnn_tiny_dc5.py for 0.x: a 16-channel ResNet-18-DC5 with
# GroupNorm (trained from scratch, no download), a 64-channel neck and heads, smaller anchors for
# 320x256 images and fewer proposals. A config lists this file beside its model base and merges
# it in with `model = dict(detector={{_base_.tiny_detector}})`.
tiny_norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
tiny_detector = dict(
    backbone=dict(
        depth=18, base_channels=16, frozen_stages=-1, norm_cfg=tiny_norm_cfg, norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[128], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64, anchor_generator=dict(scales=[2, 4, 8])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=128)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=1000, max_per_img=100)))
