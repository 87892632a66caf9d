# LSTS around MMTracking 1.x's Faster R-CNN R-50-DC5 (the detector of its DFF/FGFA/SELSA configs):
# the parts of configs/_base_/models/lsts_parts.py, as configs/_base_/models/lsts_r50_dc5.py is
# for MMTracking 0.x.
_base_ = [
    'mmtrack::_base_/models/faster-rcnn_r50-dc5.py', '../../../_base_/models/lsts_parts.py'
]
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = {{_base_.lsts}}
