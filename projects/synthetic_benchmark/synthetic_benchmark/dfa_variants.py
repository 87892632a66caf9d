"""Test-time variants of LSTS's DFA and SRFU, chosen by name: which part of a non-keyframe's
feature does the detection head need?

A trained LSTS checkpoint is tested again with one part of its aggregation changed. The variants
are subclasses of :class:`mmlsts.ops.DFA` / :class:`mmlsts.ops.SRFU` with the same parameters,
registered in MMTracking's aggregator registry as ``'DiagnosisDFA'`` and ``'DiagnosisSRFU'``, so
the checkpoint loads unchanged and DFA itself is never modified; :func:`variant_options` gives
the config overrides of one variant. The variants (:data:`VARIANTS`):

- ``as_trained``: DFA and SRFU as trained;
- ``memory_alone`` / ``low2high_alone``: the fusion's weight on low2high's candidate set to 0 / 1;
- ``half_half``: a fixed 0.5 / 0.5 fusion;
- ``memory_unwarped``: the keyframe memory fused as it is, without the key-to-current LSTS;
- ``logits_x3`` / ``logits_x10``: the key-to-current LSTS's similarities scaled by 3 / 10
  (sharper attention over the offsets);
- ``srfu_bypassed``: SRFU keeps no memory: the memory is the keyframe's own high feature.
"""
from __future__ import annotations

from mmtrack.models import AGGREGATORS
from torch import Tensor

from mmlsts.ops import DFA, SRFU

__all__ = ['VARIANTS', 'DiagnosisDFA', 'DiagnosisSRFU', 'variant_options']

# name: (DFA fusion: None = the quality net, or the fixed weight on low2high; warp the memory;
#        similarity scale; SRFU kept)
VARIANTS: dict[str, tuple[float | None, bool, float, bool]] = {
    'as_trained': (None, True, 1.0, True),
    'memory_alone': (0.0, True, 1.0, True),
    'low2high_alone': (1.0, True, 1.0, True),
    'half_half': (0.5, True, 1.0, True),
    'memory_unwarped': (None, False, 1.0, True),
    'logits_x3': (None, True, 3.0, True),
    'logits_x10': (None, True, 10.0, True),
    'srfu_bypassed': (None, True, 1.0, False),
}


def _check(variant: str) -> tuple[float | None, bool, float, bool]:
    if variant not in VARIANTS:
        raise ValueError(f"unknown DFA variant '{variant}'; choose from {', '.join(VARIANTS)}")
    return VARIANTS[variant]


@AGGREGATORS.register_module()
class DiagnosisDFA(DFA):
    """:class:`DFA` with one part changed at test time (``variant``, see the module docstring)."""

    def __init__(self, *args, variant: str = 'as_trained', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.variant = variant
        self.low2high_weight, self.warp, self.logit_scale, _ = _check(variant)

    def embed_memory(self, memory: Tensor) -> Tensor:
        # the similarity <g, f> is linear in f: scaling f scales every logit
        return self.logit_scale * super().embed_memory(memory)

    def forward(self, memory: Tensor, low: Tensor, memory_embed: Tensor | None = None) -> Tensor:
        if memory_embed is None:
            memory_embed = self.embed_memory(memory)
        current = self.low2high(low)
        propagated = self.lsts(memory, current, ref_embed=memory_embed) if self.warp else memory
        if self.low2high_weight is None:
            return self.quality(current, propagated)
        return self.low2high_weight * current + (1 - self.low2high_weight) * propagated


@AGGREGATORS.register_module()
class DiagnosisSRFU(SRFU):
    """:class:`SRFU`, or with ``variant='srfu_bypassed'`` no memory: the keyframe's own H_k."""

    def __init__(self, *args, variant: str = 'as_trained', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.variant = variant
        self.keep_memory = _check(variant)[3]

    def forward(self, memory: Tensor, high: Tensor) -> Tensor:
        return super().forward(memory, high) if self.keep_memory else high


def variant_options(variant: str) -> dict:
    """``cfg.merge_from_dict`` overrides that test an LSTS config with ``variant``."""
    _check(variant)
    return {'model.dfa.type': 'DiagnosisDFA', 'model.dfa.variant': variant,
            'model.srfu.type': 'DiagnosisSRFU', 'model.srfu.variant': variant}
