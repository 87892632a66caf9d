# Tiny LSTS online (causal) on the synthetic set, as lsts_r101_online.py is to lsts_r101.py:
# trained with the official causal triples (old key t-15..t-11, new key t-10..t-1) and tested with
# the keyframe at each segment's start. Starts, like lsts_tiny_synthetic_pretrained.py, from a
# trained single-frame tiny detector in tools/analysis/compare.py, with its embed_std.
_base_ = ['./lsts_tiny_synthetic_pretrained.py']
data = dict(train={{_base_.train_sets.online}})
model = dict(test_cfg=dict(key_frame_position='start'))
