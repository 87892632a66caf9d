# The schedule and runtime of the tiny CPU configs: MMTracking's VID optimizer at lr 0.02,
# 12 epochs (steps after 8 and 11), one checkpoint and one evaluation at the end, gloo.
_base_ = ['../default_runtime.py', './imagenet_vid_7e.py']
optimizer = dict(lr=0.02)
lr_config = dict(warmup_iters=50, step=[8, 11])
total_epochs = 12
checkpoint_config = dict(interval=12)
evaluation = dict(metric=['bbox'], interval=12)
log_config = dict(interval=20)
dist_params = dict(backend='gloo')
