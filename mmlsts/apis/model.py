"""A video detector for inference from a config and a checkpoint, without downloads.

:func:`load_video_model` is ``mmtrack.apis.init_model`` with every pretrained ``init_cfg`` dropped
(:func:`disable_pretrained`): the checkpoint brings the weights, and without one they are
random. The demo uses both; the speed benchmark and the tests use :func:`disable_pretrained`.
"""
from __future__ import annotations

import logging
import os.path as osp

import mmcv

__all__ = ['disable_pretrained', 'load_video_model']


def disable_pretrained(node) -> int:
    """Set every ``init_cfg`` / ``pretrained`` that would load weights to None (in place);
    returns how many."""
    if isinstance(node, (list, tuple)):
        return sum(disable_pretrained(v) for v in node)
    count = 0
    for key, value in node.items() if isinstance(node, dict) else ():
        if key in ('pretrained', 'pretrains') and value or key == 'init_cfg' and any(
                isinstance(c, dict) and (c.get('type') == 'Pretrained' or 'checkpoint' in c)
                for c in (value if isinstance(value, (list, tuple)) else [value])):
            node[key], count = None, count + 1
        else:
            count += disable_pretrained(value)
    return count


def load_video_model(config, checkpoint: str | None, device: str = 'cpu',
                     cfg_options: dict | None = None):
    """``mmtrack.apis.init_model`` without downloads: every pretrained ``init_cfg`` is dropped
    (the checkpoint brings the weights; without one the weights are random)."""
    from mmtrack.apis import init_model

    import mmlsts  # noqa: F401  (registers LSTS and friends, applies the compat fixes)
    if isinstance(config, str) and not osp.isfile(config):
        raise FileNotFoundError(f'demo: config {config} does not exist')
    cfg = mmcv.Config.fromfile(config) if isinstance(config, str) else config.copy()
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'demo: checkpoint {checkpoint} does not exist')
    if 'test' not in cfg.get('data', {}):
        raise ValueError(f'demo: config {config} has no data.test (its test pipeline and '
                         'reference sampler are what the demo feeds the model with)')
    disable_pretrained(cfg.model)
    mmcv_logger = logging.getLogger('mmcv')
    level = mmcv_logger.level
    mmcv_logger.setLevel(logging.ERROR)  # load_checkpoint reports every key it skips
    try:
        model = init_model(cfg, checkpoint, device=device)
    finally:
        mmcv_logger.setLevel(level)
    if not model.CLASSES:  # no checkpoint meta: the test dataset's classes
        from mmdet.datasets import DATASETS
        model.CLASSES = getattr(DATASETS.get(cfg.data.test.type), 'CLASSES', None)
    return model
