"""The one place where the mmcv 1.x / mmdet 2.x / mmtrack 0.x line meets today's numpy and torch.

Applied once by ``import mmlsts`` (:func:`apply`), which is what a config's
``custom_imports = dict(imports=['mmlsts'])`` does: MMTracking's own ``tools/train.py`` and
``tools/test.py`` (``--launcher pytorch`` included) get every fix without a wrapper. Users never
patch site-packages. Each fix is applied only where the installed versions need it, and
calling :func:`apply` again changes nothing.

1. numpy >= 1.24 removed the aliases ``np.int``, ``np.float``, ``np.bool``, ``np.object``, ...
   that mmtrack's dataset code still calls for every sample (``.astype(np.int)``): restored as
   the builtins they always were.
2. torch >= 2.6 loads checkpoints weights-only. This holds for the whole process: every plain
   file path that mmcv's ``CheckpointLoader`` opens (``load_checkpoint``, ``--resume-from``,
   ``load_from``, MMTracking's ``--checkpoint``) loads weights-only, on any torch, also allowing
   the numpy scalar/dtype objects that mmcv's own runner writes into checkpoint metadata.
   A checkpoint that needs more (arbitrary pickled objects can run code) fails with a clear
   error that names the file and says how to load it if you trust it:
   ``MMLSTS_TRUSTED_CHECKPOINTS=/path/a.pth:/path/b.pth`` (or ``all``), or
   :func:`trust_checkpoint` from Python.
3. torch >= 2.1 no longer sets ``DistributedDataParallel._use_replicated_tensor_module``, which
   mmcv 1.7's ``MMDistributedDataParallel._run_ddp_forward`` reads on every ``model(...)`` call
   under DDP (distributed testing, evaluation hooks): it defaults to False, the value torch used
   to set. Older torch sets it per instance, which still wins.
4. torch >= 2.1's ``torch.nn.parallel._functions._get_stream`` takes a ``torch.device``; mmcv
   1.7's ``Scatter`` still passes a GPU index, so every GPU step of ``MMDataParallel`` and
   ``MMDistributedDataParallel`` (single-GPU and distributed training and testing) fails with
   ``AttributeError: 'int' object has no attribute 'type'``. mmcv's module gets a
   ``_get_stream`` that turns the index into ``torch.device('cuda', index)``, only where torch's
   function takes a device.
"""
from __future__ import annotations

import functools
import inspect
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
        if hasattr(torch.serialization, 'safe_globals'):  # torch >= 2.5
            with torch.serialization.safe_globals(_safe_numpy_globals()):
                return torch.load(filename, map_location=map_location, weights_only=True)
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


def _default_replicated_tensor_flag() -> None:
    from mmcv.parallel import MMDistributedDataParallel
    if not hasattr(MMDistributedDataParallel, '_use_replicated_tensor_module'):
        MMDistributedDataParallel._use_replicated_tensor_module = False


def _takes_a_device(get_stream) -> bool:
    param = inspect.signature(get_stream).parameters.get('device')
    return param is not None and param.annotation in (torch.device, 'torch.device')


def _scatter_streams_by_device() -> None:
    from mmcv.parallel import _functions as mmcv_functions
    from torch.nn.parallel import _functions as torch_functions
    original = torch_functions._get_stream
    if mmcv_functions._get_stream is not original or not _takes_a_device(original):
        return  # already wrapped, or a torch whose _get_stream still takes the index

    @functools.wraps(original)
    def get_stream(device):
        # mmcv's Scatter asks only for GPU copy streams: its ids are CUDA indices here.
        return original(torch.device('cuda', device) if isinstance(device, int) else device)

    mmcv_functions._get_stream = get_stream


def _require_stack() -> None:
    """mmcv-full and mmtrack are not in mmlsts' install_requires (setup.cfg says why)."""
    from importlib.util import find_spec

    def found(module: str) -> bool:
        try:
            return find_spec(module) is not None
        except ImportError:
            return False

    missing = [hint for module, hint in (
        ('mmcv', 'mmcv-full>=1.7,<2 with its compiled ops'),
        ('mmtrack', 'mmtrack>=0.14,<1 (pip install --no-deps mmtrack)')) if not found(module)]
    if missing:
        raise ImportError(f'mmlsts needs {" and ".join(missing)}, which pip does not install with '
                          'it: see docs/install.md ("Into an existing environment"), or build '
                          'the tested environment with tools/setup_env.sh')


def apply() -> None:
    """Apply every fix once; safe to call again."""
    global _applied
    if _applied:
        return
    _require_stack()
    _restore_numpy_aliases()
    _install_checkpoint_loader()
    _default_replicated_tensor_flag()
    _scatter_streams_by_device()
    _applied = True
