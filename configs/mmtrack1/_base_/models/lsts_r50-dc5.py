# LSTS around MMTracking 1.x's Faster R-CNN R-50-DC5 (the detector of its DFF/FGFA/SELSA configs),
# as configs/_base_/models/lsts_r50_dc5.py is for MMTracking 0.x: the same parts and values.
_base_ = ['mmtrack::_base_/models/faster-rcnn_r50-dc5.py']
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = dict(
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
        low2high=dict(mid_channels=256)))
