# MMTracking's VID schedule: SGD at lr 0.01 for 8 GPUs x 1 image, 7 epochs, steps after 2 and 5.
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
lr_config = dict(
    policy='step', warmup='linear', warmup_iters=500, warmup_ratio=1.0 / 3, step=[2, 5])
total_epochs = 7
evaluation = dict(metric=['bbox'], interval=7)
