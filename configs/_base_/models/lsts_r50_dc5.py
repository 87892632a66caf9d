# LSTS around the Faster R-CNN R-50-DC5 of MMTracking's VID models (see lsts-method in docs/):
# the detector of faster_rcnn_r50_dc5.py with the parts of lsts_parts.py.
_base_ = ['./faster_rcnn_r50_dc5.py', './lsts_parts.py']
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = {{_base_.lsts}}
