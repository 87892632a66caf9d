# vid/lsts_faster-rcnn_tiny-dc5_1xb1-12e_synthetic.py without LSTS: its tiny Faster R-CNN (and data preprocessor), data, scale
# and schedule, for the other methods' tiny configs to build on (vid/selsa_faster-rcnn_tiny-...), so
# that they share every value with LSTS's by construction. Not a config to train by itself.
_base_ = ['../vid/lsts_faster-rcnn_tiny-dc5_1xb1-12e_synthetic.py']
model = dict(
    _delete_=True,
    data_preprocessor={{_base_.model.data_preprocessor}},
    detector={{_base_.model.detector}})
optim_wrapper = dict(paramwise_cfg=dict(_delete_=True))
find_unused_parameters = False
