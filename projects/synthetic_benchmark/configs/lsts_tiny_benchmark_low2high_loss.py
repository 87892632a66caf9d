# Ours, not the official recipe: tiny LSTS on the benchmark plus the low2high loss, which pulls
# low2high's output at a non-keyframe towards the frame's own high feature (computed without
# gradient, training only; LSTS's low2high_loss_weight, docs/method.md "Deviations"). The aim: a
# candidate worth choosing on clean frames, beside the quality nets that now start at the
# official initial scale and so can choose (with the official recipe DFA puts weight 0.001 on
# low2high, README of this project). Test-time cost is the official model's.
_base_ = ['./lsts_tiny_benchmark.py']
model = dict(low2high_loss_weight=1.0)
