# Tiny LSTS online (causal) on the benchmark, as configs/vid/lsts_r101_online.py is to
# lsts_r101.py: trained with the official causal triples (old key t-15..t-11, new key t-10..t-1)
# and tested with the keyframe at each segment's start.
_base_ = ['./lsts_tiny_benchmark.py']
data = dict(
    train={{_base_.train_sets.online}},
    val=dict(ref_img_sampler={{_base_.online_test_sampler}}),
    test=dict(ref_img_sampler={{_base_.online_test_sampler}}))
