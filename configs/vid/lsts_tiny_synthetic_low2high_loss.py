# Tiny LSTS from the pretrained single-frame detector, with one deviation from the official
# recipe: low2high is also trained towards the frame's own high feature (an extra loss,
# `low2high_loss_weight`; the official code has none). A tried fix for LSTS's loss on the clean
# non-keyframes of the synthetic benchmark, where low2high alone carries the frame's own
# appearance and stays far from it (docs/benchmarks.md: what it measured).
_base_ = ['./lsts_tiny_synthetic_pretrained.py']
model = dict(low2high_loss_weight=1.0)
