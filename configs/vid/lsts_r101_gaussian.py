# LSTS with Gaussian-initialised sampling locations, R-101: the official repo's second model
# (lsts_network_gaussian / lsts_gaussian.yaml): 40 offsets drawn from N(0, I) (seeded) instead of
# the 81-point integer grid [-4, 4]^2. Everything else as lsts_r101.py.
_base_ = ['./lsts_r101.py']
gaussian = dict(offset_init='gaussian', num_offsets=40, seed=0)
model = dict(srfu=dict(lsts=gaussian), dfa=dict(lsts=gaussian))
