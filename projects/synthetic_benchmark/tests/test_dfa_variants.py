"""The test-time DFA / SRFU variants: same parameters as a trained LSTS, one part changed each."""
import os.path as osp

import pytest
import torch
from mmcv import Config
from mmtrack.models import build_model
from synthetic_benchmark.dfa_variants import VARIANTS, variant_options

import mmlsts  # noqa: F401  (registers LSTS, SRFU, DFA)

LAB = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(LAB, 'configs', 'lsts_tiny_benchmark.py')


def _model(variant=None):
    cfg = Config.fromfile(CONFIG)
    cfg.model.detector.init_cfg = None
    if variant:
        cfg.merge_from_dict(variant_options(variant))
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.init_weights()
    return model.eval()


@pytest.fixture(scope='module')
def inputs():
    gen = torch.Generator().manual_seed(1)
    return dict(memory=torch.randn(1, 64, 8, 10, generator=gen),
                low=torch.randn(1, 64, 8, 10, generator=gen),
                high=torch.randn(1, 64, 8, 10, generator=gen))


def test_every_variant_loads_a_trained_lsts_state_dict_unchanged():
    state = _model().state_dict()
    for variant in VARIANTS:
        model = _model(variant)
        assert model.load_state_dict(state, strict=True).missing_keys == []
        assert (type(model.dfa).__name__, model.dfa.variant) == ('DiagnosisDFA', variant)


@pytest.mark.parametrize('variant', list(VARIANTS))
def test_each_variant_changes_only_its_part(variant, inputs):
    trained, model = _model(), _model(variant)
    model.load_state_dict(trained.state_dict())
    memory, low, high = inputs['memory'], inputs['low'], inputs['high']
    with torch.no_grad():
        parts = trained.dfa.parts(memory, low, trained.dfa.embed_memory(memory))
        out = model.dfa(memory, low, model.dfa.embed_memory(memory))
        expected = {
            'as_trained': parts.fused,
            'memory_alone': parts.propagated,
            'low2high_alone': parts.current,
            'half_half': 0.5 * (parts.current + parts.propagated),
            'memory_unwarped': trained.dfa.quality(parts.current, memory),
            'srfu_bypassed': parts.fused,
        }
        if variant in expected:
            torch.testing.assert_close(out, expected[variant])
        else:  # sharper attention: the largest weight over the offsets grows with the scale
            scale = VARIANTS[variant][2]
            _, weights = model.dfa.lsts(memory, parts.current,
                                        ref_embed=model.dfa.embed_memory(memory),
                                        return_weights=True)
            assert weights.max(1).values.mean() > parts.sampling_weights.max(1).values.mean()
            torch.testing.assert_close(model.dfa.embed_memory(memory),
                                       scale * trained.dfa.embed_memory(memory))
        srfu = model.srfu(memory, high)
        torch.testing.assert_close(srfu, high if variant == 'srfu_bypassed'
                                   else trained.srfu(memory, high))


def test_an_unknown_variant_names_the_choices():
    with pytest.raises(ValueError, match="unknown DFA variant 'nope'; choose from as_trained"):
        variant_options('nope')
