# LSTS online (causal), R-101: trained with the official code's causal triples (old key in
# t-15..t-11, new key in t-10..t-1: no reference after the current frame) and tested with the
# keyframe at each segment's start (frame_id % 10 == 0, as MMTracking's DFF), so no frame waits
# for a future keyframe. Everything else as lsts_r101.py (the offline, official-tester default).
_base_ = ['./lsts_r101.py']
data = dict(
    train={{_base_.train_sets.online}},
    val=dict(ref_img_sampler={{_base_.online_test_sampler}}),
    test=dict(ref_img_sampler={{_base_.online_test_sampler}}))
