# The detector of the tiny CPU configs: what turns faster_rcnn_r50_dc5.py into a 16-channel
# ResNet-18-DC5 with GroupNorm (trained from scratch, no download), a 64-channel neck and heads,
# smaller anchors for 320x256 images and fewer proposals. mmcv forbids two bases that both set
# `model`, so a config lists this file beside its model base and merges the overrides in with
# `model = dict(detector={{_base_.tiny_detector}})`. Plain values: the MMTracking 1.x tiny configs
# (configs/mmtrack1) take the same file.
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
# LSTS at the tiny widths, around that detector: what the tiny LSTS configs of both generations
# merge into their LSTS model with `model = {{_base_.tiny_lsts}}`. The low part ends after
# layer3's first block (64 channels here, 1024 officially).
tiny_lsts = dict(
    low_level=('layer3', 1),
    detector=tiny_detector,
    srfu=dict(in_channels=64, lsts=dict(embed_channels=32), quality=dict(mid_channels=(32, 8))),
    dfa=dict(
        in_channels=64, low_channels=64, lsts=dict(embed_channels=32),
        quality=dict(mid_channels=(32, 8)), low2high=dict(mid_channels=32)))
