# The LSTS parts around a Faster R-CNN DC5 detector (see lsts-method in docs/), as plain values that
# both MMTracking generations' model bases merge into their detector's `model`:
# lsts_r50_dc5.py here and configs/mmtrack1/_base_/models/lsts_r50-dc5.py.
lsts = dict(
    type='LSTS',
    low_level=('layer3', 4),   # paper's conv4_3 / official res4b3: 1024 channels, stride 16
    share_offsets=True,        # one offsets parameter for key-to-key and key-to-current
    srfu=dict(
        type='SRFU',
        in_channels=512,
        lsts=dict(embed_channels=256, offset_init='uniform', offset_range=4),
        quality=dict(mid_channels=(256, 16))),
    dfa=dict(
        type='DFA',
        in_channels=512,
        low_channels=1024,
        lsts=dict(embed_channels=256, offset_init='uniform', offset_range=4),
        quality=dict(mid_channels=(256, 16)),
        low2high=dict(mid_channels=256)),
    # The test-time keyframe schedule is the test set's (ref_img_sampler 'lsts_keyframe').
    train_cfg=None,
    test_cfg=None)
