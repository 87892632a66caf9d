"""The one place where the mmcv 1.x / mmdet 2.x / mmtrack 0.x line meets today's numpy and torch.

Applied once by ``import mmlsts`` (:func:`apply`); users never patch site-packages.

1. numpy >= 1.24 removed the aliases ``np.int``, ``np.float``, ``np.bool``, ``np.object``, ...
   that mmtrack's dataset code still calls for every sample (``.astype(np.int)``): restored as
   the builtins they always were.
2. torch >= 2.6 loads checkpoints weights-only. We keep that default for every file, and also
   allow the numpy scalar/dtype objects that mmcv's own runner writes into checkpoint metadata.
   A checkpoint that needs more (arbitrary pickled objects can run code) fails with a clear
   error that names the file and says how to load it if you trust it:
   ``MMLSTS_TRUSTED_CHECKPOINTS=/path/a.pth:/path/b.pth`` (or ``all``), or
   :func:`trust_checkpoint` from Python.
"""
from __future__ import annotations

import os
import os.path as osp
import pickle

import numpy as np
import torch

__all__ = ['apply', 'trust_checkpoint', 'UntrustedCheckpointError']

_NUMPY_ALIASES = {'int': int, 'float': float, 'bool': bool, 'object': object, 'str': str,
                  'complex': complex, 'long': int, 'unicode': str}
TRUST_ENV = 'MMLSTS_TRUSTED_CHECKPOINTS'
_trusted: set[str] = set()
_applied = False


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds pickled objects that a weights-only load refuses."""


def trust_checkpoint(path: str) -> None:
    """Allow a full (unsafe) pickle load of ``path``: only for files you trust."""
    _trusted.add(osp.realpath(osp.expanduser(path)))


def _is_trusted(path: str) -> bool:
    listed = os.environ.get(TRUST_ENV, '')
    if listed.strip().lower() == 'all':
        return True
    real = osp.realpath(path)
    env_paths = {osp.realpath(osp.expanduser(p)) for p in listed.split(os.pathsep) if p}
    return real in _trusted or real in env_paths


def _safe_numpy_globals() -> list:
    found = [np.dtype]
    multiarray = getattr(getattr(np, 'core', None), 'multiarray', None)
    if multiarray is not None and hasattr(multiarray, 'scalar'):
        found.append(multiarray.scalar)
    found.extend(type(np.dtype(name)) for name in
                 ('float64', 'float32', 'float16', 'int64', 'int32', 'bool'))
    return found


def load_local_checkpoint(filename: str, map_location=None) -> dict:
    """mmcv's loader for plain file paths, weights-only unless the file is trusted."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found')
    if _is_trusted(filename):
        return torch.load(filename, map_location=map_location, weights_only=False)
    try:
        with torch.serialization.safe_globals(_safe_numpy_globals()):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        first = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise UntrustedCheckpointError(
            f'checkpoint {filename} holds pickled Python objects that a weights-only load '
            f'refuses ({first}). Loading it in full can run code from the file. If you trust '
            f'it, set {TRUST_ENV}={filename} (several paths separated by "{os.pathsep}", or '
            f"'all'), or call mmlsts.compat.trust_checkpoint('{filename}') first.") from None


def _restore_numpy_aliases() -> None:
    for name, builtin in _NUMPY_ALIASES.items():
        if name not in np.__dict__:
            setattr(np, name, builtin)


def _install_checkpoint_loader() -> None:
    from mmcv.runner import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)


def apply() -> None:
    """Apply every fix once; safe to call again."""
    global _applied
    if _applied:
        return
    _restore_numpy_aliases()
    _install_checkpoint_loader()
    _applied = True
