"""Plot LSTS's learned sampling locations beside their initialisation (the paper's figure of
learned offsets), from a checkpoint and/or a config.

The offsets are the parameter whose state-dict key ends in ``srfu.lsts.offsets`` (shared with
DFA when ``share_offsets=True``; with separate offsets pick ``dfa.lsts.offsets`` by ``key``): an
(N, 2) tensor of (dx, dy) in feature pixels, one global set shared by every position. Their
initialisation comes from an ``init_checkpoint`` (e.g. the epoch-0 weights), or from the config's
``model.srfu.lsts`` settings through the ``LSTS`` module itself (the config given, or
else the one mmcv stored in the checkpoint's ``meta.config``). With a config only, the
initialisation alone is drawn.

One scatter plot, equal aspect, y pointing down as in the image: initial points as hollow grey
circles, learned ones filled, and an arrow from each initial point to its learned point when both
sets have the same size. Written with matplotlib's Agg backend, format by the file extension.
"""
from __future__ import annotations

import os
import os.path as osp

import numpy as np

__all__ = ['OFFSETS_KEY', 'load_offsets', 'config_init_offsets', 'plot_offsets']

OFFSETS_KEY = 'srfu.lsts.offsets'


def _load(checkpoint: str) -> dict:
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'plot_offsets: checkpoint {checkpoint} does not exist')
    from mmlsts.compat import load_local_checkpoint
    try:
        ckpt = load_local_checkpoint(checkpoint, map_location='cpu')
    except (RuntimeError, EOFError) as err:  # not a torch file
        raise ValueError(f'plot_offsets: {checkpoint} is not a readable PyTorch checkpoint '
                         f'({err})') from None
    if not isinstance(ckpt, dict):
        raise ValueError(f'plot_offsets: {checkpoint} holds a {type(ckpt).__name__}, not a '
                         'checkpoint dict')
    return ckpt


def _state_dict(ckpt: dict) -> dict:
    state = ckpt.get('state_dict', ckpt)
    return state if isinstance(state, dict) else {}


def load_offsets(checkpoint: str, key: str = OFFSETS_KEY) -> tuple[np.ndarray, str]:
    """(the (N, 2) offsets, their full state-dict key) from ``checkpoint``."""
    return _offsets_in(_load(checkpoint), checkpoint, key)


def _offsets_in(ckpt: dict, checkpoint: str, key: str) -> tuple[np.ndarray, str]:
    state = _state_dict(ckpt)
    found = [k for k in state if k == key or k.endswith('.' + key)]
    if not found:
        offsets = [k for k in state if 'offset' in k]
        shown = offsets or list(state)[:12]
        what = 'keys with "offset"' if offsets else f'{len(state)} keys, the first'
        raise KeyError(f"plot_offsets: checkpoint {checkpoint} has no parameter ending in "
                       f"'{key}' (is it an LSTS checkpoint?); {what}: {shown}")
    if len(found) > 1:
        raise KeyError(f"plot_offsets: checkpoint {checkpoint} has several keys ending in "
                       f"'{key}': {found}; give the full key")
    value = state[found[0]]
    array = value.detach().cpu().float().numpy() if hasattr(value, 'detach') else np.asarray(
        value, np.float32)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"plot_offsets: {found[0]} in {checkpoint} has shape {array.shape}, "
                         'expected (N, 2)')
    return array, found[0]


def _config(config, cfg_options: dict | None = None):
    from mmcv import Config
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(f'plot_offsets: config {config} does not exist')
        cfg = Config.fromfile(config)
    else:
        cfg = config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def config_init_offsets(config, cfg_options: dict | None = None,
                        module: str = 'srfu') -> np.ndarray:
    """The (N, 2) initial offsets that ``model.<module>.lsts`` of ``config`` gives."""
    from mmlsts.ops import LSTSAggregate
    cfg = _config(config, cfg_options)
    name = config if isinstance(config, str) else 'the config'
    model = cfg.get('model', {})
    part = model.get(module) if hasattr(model, 'get') else None
    if not part:
        raise ValueError(f"plot_offsets: {name} has no model.{module} (model type "
                         f"{model.get('type', '?')}); only LSTS configs have sampling offsets")
    # The module itself turns its settings into offsets, with its own defaults.
    return LSTSAggregate(1, **dict(part.get('lsts') or {})).offsets.detach().numpy()


def _module(key: str) -> str:
    """'srfu' or 'dfa': whose ``lsts`` settings initialise the offsets under ``key``."""
    return 'dfa' if key.split('.')[-3:-2] == ['dfa'] else 'srfu'


def _stored_config(ckpt: dict):
    text = (ckpt.get('meta') or {}).get('config') if isinstance(ckpt.get('meta'), dict) else None
    if not text:
        return None
    from mmcv import Config
    try:
        return Config.fromstring(text, '.py')
    except Exception:  # an unparsable stored config: no init from it
        return None


def plot_offsets(out: str, checkpoint: str | None = None, config=None,
                 init_checkpoint: str | None = None, key: str = OFFSETS_KEY,
                 cfg_options: dict | None = None, title: str | None = None,
                 overwrite: bool = False, dpi: int = 100) -> dict:
    """Draw the learned offsets of ``checkpoint`` and their initialisation to ``out``.

    Args:
        out: image file (.png, .pdf, .svg, ... any matplotlib format).
        checkpoint: LSTS checkpoint; None draws the initialisation of ``config`` only.
        config: config (file or ``mmcv.Config``) giving the initialisation; default the config
            stored in the checkpoint.
        init_checkpoint: a checkpoint holding the initial offsets instead (takes precedence).
        key: the state-dict key suffix of the offsets.
        cfg_options: overrides of the config.
        title: figure title (default: the file names).
        overwrite: replace an existing ``out``.

    Returns:
        ``{'out', 'learned', 'init', 'init_source', 'key'}`` (arrays or None).
    """
    if checkpoint is None and config is None and init_checkpoint is None:
        raise ValueError('plot_offsets: give a checkpoint, a config, or both')
    if osp.isdir(out):
        raise IsADirectoryError(f'plot_offsets: output {out} is a folder; give an image file')
    if osp.exists(out) and not overwrite:
        raise FileExistsError(f'plot_offsets: output {out} exists; pass --overwrite '
                              '(overwrite=True) to replace it')
    learned, full_key, init, init_source = None, key, None, None
    ckpt = _load(checkpoint) if checkpoint is not None else None
    if ckpt is not None:
        learned, full_key = _offsets_in(ckpt, checkpoint, key)
    if init_checkpoint is not None:
        init, _ = load_offsets(init_checkpoint, key)
        init_source = osp.basename(init_checkpoint)
    elif config is not None:
        init = config_init_offsets(config, cfg_options, module=_module(key))
        init_source = osp.basename(config) if isinstance(config, str) else 'config'
    elif ckpt is not None:
        stored = _stored_config(ckpt)
        if stored is not None and stored.get('model', {}).get('srfu'):
            init = config_init_offsets(stored, cfg_options, module=_module(key))
            init_source = 'its stored config'

    import matplotlib
    matplotlib.use('Agg', force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 5.6), dpi=dpi)
    try:
        points = np.concatenate([p for p in (init, learned) if p is not None] + [np.zeros((1, 2))])
        lim = float(np.abs(points).max()) * 1.12 + 0.5
        arrows = learned is not None and init is not None and len(learned) == len(init)
        min_shift = 0.01 * 2 * lim  # shorter moves than 1 % of the axis get no arrow
        if arrows:
            for (x0, y0), (x1, y1) in zip(init, learned):
                if np.hypot(x1 - x0, y1 - y0) > min_shift:
                    ax.annotate('', xy=(x1, y1), xytext=(x0, y0),
                                arrowprops=dict(arrowstyle='->', color='#5b7fb0', lw=0.8,
                                                shrinkA=0, shrinkB=2))
        if init is not None:
            label = f'initial ({len(init)})' + (f', {init_source}' if init_source else '')
            ax.scatter(init[:, 0], init[:, 1], s=36, facecolors='none', edgecolors='#7f7f7f',
                       linewidths=1.0, label=label, zorder=2)
        if learned is not None:
            ax.scatter(learned[:, 0], learned[:, 1], s=22, c='#d62728', label=f'learned '
                       f'({len(learned)})', zorder=3)
        ax.scatter([0], [0], marker='+', s=120, c='black', linewidths=1.2, zorder=4,
                   label='current position')
        ax.set_xlim(-lim, lim)
        ax.set_ylim(lim, -lim)  # y down, as in the image
        ax.set_aspect('equal')
        ax.grid(True, linestyle=':', linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel('dx (feature pixels)')
        ax.set_ylabel('dy (feature pixels)')
        if title is None:
            parts = [osp.basename(checkpoint)] if checkpoint else []
            parts.append(f'init: {init_source}' if init_source else 'no initialisation known')
            title = 'LSTS sampling locations\n' + ', '.join(parts)
            if arrows:
                shift = np.linalg.norm(learned - init, axis=1)
                title += (f'\nshift from init: mean {shift.mean():.3g}, max {shift.max():.3g} px '
                          f'(arrows where > {min_shift:.2g})')
        ax.set_title(title, fontsize=9)
        ax.legend(loc='upper center', bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=7,
                  frameon=False)
        fig.tight_layout()
        folder = osp.dirname(osp.abspath(out))
        os.makedirs(folder, exist_ok=True)
        fig.savefig(out)
    finally:
        plt.close(fig)
    return dict(out=out, learned=learned, init=init, init_source=init_source, key=full_key)
