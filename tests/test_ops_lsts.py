"""lsts_aggregate and the LSTSAggregate, QualityNet, Low2High, SRFU and DFA modules (mmlsts.ops)."""
import pytest
import torch

from mmlsts.ops import (
    DFA,
    SRFU,
    Low2High,
    LSTSAggregate,
    QualityNet,
    init_offsets,
    lsts_aggregate,
)
from mmlsts.ops.reference import lsts_reference_loops, lsts_reference_naive


def _inputs(bsz=2, chans=5, embed=4, height=5, width=6, dtype=torch.float32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    ref = torch.randn(bsz, chans, height, width, generator=gen, dtype=dtype)
    ref_embed = torch.randn(bsz, embed, height, width, generator=gen, dtype=dtype)
    tgt_embed = torch.randn(bsz, embed, height, width, generator=gen, dtype=dtype)
    return ref, ref_embed, tgt_embed


def _fractional_offsets(num=7, seed=1, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    offsets = torch.randn(num, 2, generator=gen, dtype=dtype) * 2.5
    offsets[0] = torch.tensor([7.3, -0.4])   # beyond the right border of a 6-wide map
    offsets[1] = torch.tensor([0.5, -6.2])   # beyond the top border of a 5-high map
    offsets[2] = torch.tensor([-1.25, 2.75])
    return offsets


def test_matches_formula_reference_with_fractional_and_outside_offsets():
    ref, ref_embed, tgt_embed = _inputs()
    offsets = _fractional_offsets()
    out, weights = lsts_aggregate(ref, ref_embed, tgt_embed, offsets, return_weights=True)
    ref_out, ref_weights = lsts_reference_loops(ref, ref_embed, tgt_embed, offsets)
    assert out.shape == ref.shape and weights.shape == (2, 7, 5, 6)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, ref_weights, atol=1e-5, rtol=0)


def test_matches_naive_reference_at_uniform_init():
    ref, ref_embed, tgt_embed = _inputs(bsz=1, chans=8, embed=6, height=9, width=11)
    offsets = init_offsets('uniform', offset_range=2) + torch.tensor([0.3, -0.6])
    out, weights = lsts_aggregate(ref, ref_embed, tgt_embed, offsets, return_weights=True)
    naive_out, naive_weights = lsts_reference_naive(ref, ref_embed, tgt_embed, offsets)
    torch.testing.assert_close(out, naive_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, naive_weights, atol=1e-5, rtol=0)


def test_weights_are_a_softmax_over_offsets():
    ref, ref_embed, tgt_embed = _inputs()
    _, weights = lsts_aggregate(ref, ref_embed, tgt_embed, _fractional_offsets(),
                                return_weights=True)
    assert (weights >= 0).all()
    torch.testing.assert_close(weights.sum(1), torch.ones(2, 5, 6))


def test_gradcheck_all_inputs_including_offsets():
    ref, ref_embed, tgt_embed = _inputs(bsz=2, chans=3, embed=2, height=4, width=5,
                                        dtype=torch.float64)
    # Non-integer offsets (the bilinear kernel has kinks at integers), some beyond the map.
    offsets = torch.tensor([[0.3, -0.7], [1.6, 0.45], [-2.2, 1.3], [4.4, -0.2]],
                           dtype=torch.float64)
    args = [t.clone().requires_grad_() for t in (ref, ref_embed, tgt_embed, offsets)]
    assert torch.autograd.gradcheck(
        lambda *a: lsts_aggregate(*a, return_weights=True), args, eps=1e-6, atol=1e-6)


def test_gradients_reach_the_offsets():
    ref, ref_embed, tgt_embed = _inputs()
    offsets = _fractional_offsets().requires_grad_()
    lsts_aggregate(ref, ref_embed, tgt_embed, offsets).square().sum().backward()
    assert offsets.grad is not None and offsets.grad.abs().sum() > 0


def test_integer_offsets_are_plain_shifts():
    ref, ref_embed, tgt_embed = _inputs(bsz=1)
    # One offset only: the weight is 1 everywhere and the output is ref shifted by (dx, dy).
    out = lsts_aggregate(ref, ref_embed, tgt_embed, torch.tensor([[2.0, -1.0]]))
    expected = torch.zeros_like(ref)
    expected[:, :, 1:, :-2] = ref[:, :, :-1, 2:]
    torch.testing.assert_close(out, expected)


def test_single_zero_offset_returns_ref_exactly():
    ref, ref_embed, tgt_embed = _inputs()
    out = lsts_aggregate(ref, ref_embed, tgt_embed, torch.zeros(1, 2))
    assert torch.equal(out, ref)


def test_offsets_wholly_off_the_map_read_zero():
    ref, ref_embed, tgt_embed = _inputs()
    out = lsts_aggregate(ref, ref_embed, tgt_embed, torch.tensor([[100.0, 0.0], [0.0, -50.5]]))
    assert torch.equal(out, torch.zeros_like(ref))


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_dtype_and_device_are_preserved(dtype):
    ref, ref_embed, tgt_embed = _inputs(dtype=dtype)
    out, weights = lsts_aggregate(ref, ref_embed, tgt_embed, _fractional_offsets(dtype=dtype),
                                  return_weights=True)
    assert out.dtype == dtype and weights.dtype == dtype and out.device == ref.device


def test_bfloat16_autocast_on_cpu_stays_close_to_float32():
    torch.manual_seed(0)
    lsts = LSTSAggregate(8, embed_channels=4, offset_init='gaussian', num_offsets=9)
    ref, tgt = torch.randn(1, 8, 6, 7), torch.randn(1, 8, 6, 7)
    expected = lsts(ref, tgt)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = lsts(ref, tgt)
    assert out.dtype == torch.float32  # ref stays float32; the embeddings ran in bfloat16
    torch.testing.assert_close(out, expected, atol=5e-2, rtol=5e-2)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        half = lsts(ref.bfloat16(), tgt.bfloat16())
    assert half.dtype == torch.bfloat16
    torch.testing.assert_close(half.float(), expected, atol=1e-1, rtol=1e-1)


@pytest.mark.parametrize('bad, name', [
    (dict(ref=torch.randn(1, 5, 5)), 'ref'),
    (dict(ref_embed=torch.randn(1, 4, 5, 7)), 'ref_embed'),
    (dict(tgt_embed=torch.randn(1, 3, 5, 6)), 'ref_embed and tgt_embed'),
    (dict(offsets=torch.randn(3, 3)), 'offsets'),
    (dict(offsets=torch.randn(6)), 'offsets'),
    (dict(offsets=torch.zeros(0, 2)), 'offsets'),
    (dict(ref=torch.randn(2, 5, 5, 6)), 'ref_embed must match ref'),
])
def test_bad_shapes_raise_a_value_error_naming_the_argument(bad, name):
    ref, ref_embed, tgt_embed = _inputs(bsz=1)
    kwargs = dict(ref=ref, ref_embed=ref_embed, tgt_embed=tgt_embed,
                  offsets=torch.zeros(1, 2))
    kwargs.update(bad)
    with pytest.raises(ValueError, match=name):
        lsts_aggregate(**kwargs)


def test_init_offsets_official_shapes():
    uniform = init_offsets('uniform')
    assert uniform.shape == (81, 2)
    assert set(uniform[:, 0].tolist()) == set(range(-4, 5))
    gaussian = init_offsets('gaussian', seed=3)
    assert gaussian.shape == (40, 2)
    assert torch.equal(gaussian, init_offsets('gaussian', seed=3))
    assert not torch.equal(gaussian, init_offsets('gaussian', seed=4))
    with pytest.raises(ValueError, match='init'):
        init_offsets('grid')


def test_lsts_module_embedding_init_and_shared_offsets():
    srfu, dfa = SRFU(16, lsts=dict(embed_channels=8)), DFA(16, 32, lsts=dict(embed_channels=8))
    assert srfu.lsts.ref_embed.weight.std().item() == pytest.approx(0.01, rel=0.3)
    assert torch.equal(srfu.lsts.ref_embed.bias, torch.zeros(8))
    dfa.lsts.share_offsets_from(srfu.lsts)
    assert dfa.lsts.sampling_offsets() is srfu.lsts.offsets
    names = [n for n, _ in torch.nn.ModuleDict(dict(s=srfu, d=dfa)).named_parameters()]
    assert names.count('s.lsts.offsets') == 1 and not any('d.lsts.offsets' in n for n in names)


def test_embed_std_sets_the_embedding_init_and_rejects_non_positive_values():
    torch.manual_seed(0)
    lsts = LSTSAggregate(64, embed_channels=32, embed_std=0.1)
    for conv in (lsts.ref_embed, lsts.tgt_embed):
        assert conv.weight.std().item() == pytest.approx(0.1, rel=0.1)
    with pytest.raises(ValueError, match='embed_std'):
        LSTSAggregate(64, embed_std=0.0)


def test_quality_weights_sum_to_one_per_pixel():
    quality = QualityNet(6, mid_channels=(8, 4))
    a, b = torch.randn(2, 6, 5, 7), torch.randn(2, 6, 5, 7)
    fused, weights = quality(a, b, return_weights=True)
    assert weights.shape == (2, 2, 5, 7)
    torch.testing.assert_close(weights.sum(1), torch.ones(2, 5, 7))
    torch.testing.assert_close(fused, weights[:, :1] * a + weights[:, 1:] * b)


def test_srfu_and_dfa_output_shapes_and_memory_embedding_reuse():
    torch.manual_seed(0)
    srfu = SRFU(16, lsts=dict(embed_channels=8), quality=dict(mid_channels=(8, 4)))
    dfa = DFA(16, 24, lsts=dict(embed_channels=8), quality=dict(mid_channels=(8, 4)),
              low2high=dict(mid_channels=8))
    memory, high, low = torch.randn(1, 16, 6, 9), torch.randn(1, 16, 6, 9), torch.randn(1, 24, 6, 9)
    updated = srfu(memory, high)
    assert updated.shape == high.shape
    current = dfa(updated, low)
    assert current.shape == high.shape
    torch.testing.assert_close(dfa(updated, low, dfa.embed_memory(updated)), current)
    assert Low2High(24, 16, 8)(low).shape == (1, 16, 6, 9)


def test_dfa_parts_are_the_intermediates_of_its_forward():
    torch.manual_seed(0)
    dfa = DFA(16, 24, lsts=dict(embed_channels=8, offset_range=1),
              quality=dict(mid_channels=(8, 4)), low2high=dict(mid_channels=8))
    memory, low = torch.randn(1, 16, 6, 9), torch.randn(1, 24, 6, 9)
    parts = dfa.parts(memory, low, dfa.embed_memory(memory))
    torch.testing.assert_close(parts.fused, dfa(memory, low))
    torch.testing.assert_close(parts.current, dfa.low2high(low))
    torch.testing.assert_close(parts.propagated, dfa.lsts(memory, parts.current))
    w = parts.fusion_weights
    assert w.shape == (1, 2, 6, 9) and parts.sampling_weights.shape == (1, 9, 6, 9)
    torch.testing.assert_close(parts.fused, w[:, :1] * parts.current + w[:, 1:] * parts.propagated)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')
@pytest.mark.parametrize('dtype', [torch.float32, torch.float16])
def test_cuda_matches_cpu(dtype):
    ref, ref_embed, tgt_embed = _inputs(bsz=2, chans=32, embed=16, height=19, width=31)
    offsets = _fractional_offsets()
    expected = lsts_aggregate(ref, ref_embed, tgt_embed, offsets)
    out = lsts_aggregate(*(t.cuda().to(dtype) for t in (ref, ref_embed, tgt_embed)),
                         offsets.cuda())
    assert out.is_cuda and out.dtype == dtype
    tol = 1e-4 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(out.float().cpu(), expected, atol=tol, rtol=tol)
