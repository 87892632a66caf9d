# Tiny LSTS as the synthetic benchmark trains it: from a trained single-frame tiny detector (the
# stand-in for the ImageNet-pretrained backbone of the real configs; tools/compare.py gives it),
# with the new layers started at the official model's initial scale (docs/method.md, "The new
# layers' initial scale at other widths"):
# - the embeddings: the similarity <g, f> starts at a scale ~ E * C * std^2: the official 0.01 at
#   E = 256, C = 1024 gives 26; at this width (E = 32, C = 64) it gives 0.2, the softmax stays
#   uniform through the run and LSTS is a 9x9 box filter. 0.1 gives 20. From scratch 0.1 did
#   worse than 0.01 (random features make sharp attention noisy), so the quick-start keeps 0.01.
# - the quality nets and low2high: each conv N(0, 0.01 * sqrt(official fan-in / fan-in here)),
#   so every layer scales its input as the official one does (fan-ins: quality 1024, 256 * 9,
#   16 * 9 officially, 64, 32 * 9, 8 * 9 here; low2high 1024, 256 * 9, 256 * 9 and 64, 32 * 9,
#   32 * 9). At 0.01 the tiny quality score starts 16x flatter than the official one.
_base_ = ['../../../configs/vid/lsts_tiny_synthetic.py']
quality_init_std = (0.01 * (1024 / 64)**0.5, 0.01 * (256 * 9 / (32 * 9))**0.5,
                    0.01 * (16 * 9 / (8 * 9))**0.5)
low2high_init_std = (0.01 * (1024 / 64)**0.5, 0.01 * (256 * 9 / (32 * 9))**0.5,
                     0.01 * (256 * 9 / (32 * 9))**0.5)
model = dict(
    srfu=dict(lsts=dict(embed_std=0.1), quality=dict(init_std=quality_init_std)),
    dfa=dict(
        lsts=dict(embed_std=0.1),
        quality=dict(init_std=quality_init_std),
        low2high=dict(init_std=low2high_init_std)))
