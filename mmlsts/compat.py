"""The one place where either MMTracking generation meets today's numpy and torch.

:func:`installed_generation` tells which generation is installed: 0 (mmtrack 0.x, mmcv-full
1.7, mmdet 2) or 1 (mmtrack 1.x on mmengine, mmcv 2, mmdet 3), and names what to install when
neither is, or when the packages mix the two. ``import mmlsts`` (what a config's
``custom_imports = dict(imports=['mmlsts'])`` does) calls :func:`apply`, so MMTracking's own
``tools/train.py`` and ``tools/test.py`` (``--launcher pytorch`` included) get every fix without
a wrapper. Users never patch site-packages. Each fix is applied only where the installed
versions need it, and calling :func:`apply` again changes nothing.

Both generations:

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
   :func:`trust_checkpoint` from Python. mmengine's loader gets the same, also allowing the
   one class of its own that its runner writes into every checkpoint (``HistoryBuffer``, the
   message hub's logs, with the numeric numpy arrays it holds): weights-only loading stays on,
   as it must.

MMTracking 0.x only:

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

__all__ = ['apply', 'installed_generation', 'trust_checkpoint', 'UntrustedCheckpointError']

_NUMPY_ALIASES = {'int': int, 'float': float, 'bool': bool, 'object': object, 'str': str,
                  'complex': complex, 'long': int, 'unicode': str}
TRUST_ENV = 'MMLSTS_TRUSTED_CHECKPOINTS'
_trusted: set[str] = set()
_applied: int | None = None  # the generation whose fixes are applied


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


def _safe_globals() -> list:
    """What checkpoints of the installed generation's runner hold besides tensors."""
    found = _numpy_globals()
    try:
        from mmengine.logging import HistoryBuffer
    except ImportError:  # MMTracking 0.x: no mmengine
        return found
    # HistoryBuffer keeps its logs in numpy arrays of numbers, and its statistics methods, which
    # pickle writes as getattr(HistoryBuffer, 'min'): getattr itself stays refused, this one
    # stands in for it and reads nothing else.
    def history_buffer_statistic(owner, name: str):
        if owner is HistoryBuffer and name in ('min', 'max', 'current', 'mean'):
            return getattr(owner, name)
        raise pickle.UnpicklingError(f'getattr({owner!r}, {name!r}) is not allowed')

    return [*found, HistoryBuffer, np.ndarray, np.core.multiarray._reconstruct,
            (history_buffer_statistic, 'builtins.getattr')]


def _numpy_globals() -> list:
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
            with torch.serialization.safe_globals(_safe_globals()):
                return torch.load(filename, map_location=map_location, weights_only=True)
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
        named = [ln for ln in lines if 'Unsupported global' in ln or 'but got' in ln]
        first = (named or lines or [type(err).__name__])[-1]
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


_GENERATIONS = (
    'MMTracking 0.x: mmtrack 0.14 with mmcv-full 1.7 (compiled ops) and mmdet 2.28',
    'MMTracking 1.x: mmtrack 1.0.0rc1 with mmengine, mmcv 2.0.0rc4 (compiled ops), '
    'mmdet 3.0.0rc4 and mmcls 1.0.0rc6')
_HOW = ('pip does not install these with mmlsts: see docs/install.md, or build a tested '
        'environment with tools/setup_env.sh (MMLSTS_STACK=mmtrack1 for the second)')


def installed_generation() -> int:
    """0 or 1: the MMTracking generation installed, checked against what it needs."""
    from importlib import metadata
    from importlib.util import find_spec

    from packaging.version import Version

    def version(dist: str, module: str) -> Version | None:
        """The installed and importable version of ``dist`` (module ``module``), or None."""
        try:
            found = Version(metadata.version(dist))
            return found if find_spec(module) is not None else None
        except (metadata.PackageNotFoundError, ImportError, ValueError):
            return None

    mmtrack = version('mmtrack', 'mmtrack')
    if mmtrack is None:
        raise ImportError(f'mmlsts needs one MMTracking generation, and none is installed: '
                          f'{_GENERATIONS[0]}, or {_GENERATIONS[1]}; {_HOW}')
    generation = int(mmtrack >= Version('1.0.0rc0'))
    mmdet = version('mmdet', 'mmdet')
    wrong = []
    if generation == 0:
        mmcv = version('mmcv-full', 'mmcv')
        if mmcv is None or not Version('1.7') <= mmcv < Version('2'):
            wrong.append(f'mmcv-full {mmcv or "missing"} (wants >=1.7,<2 with its compiled ops)')
        if mmdet is None or not Version('2.25') <= mmdet < Version('3.0.0rc0'):
            wrong.append(f'mmdet {mmdet or "missing"} (wants >=2.25,<3)')
    else:
        mmcv = version('mmcv', 'mmcv')
        if mmcv is None or not Version('2.0.0rc1') <= mmcv < Version('2.0.0'):
            wrong.append(f'mmcv {mmcv or "missing"} (wants >=2.0.0rc1,<2.0.0 with its compiled '
                         'ops)')
        if mmdet is None or not Version('3.0.0rc0') <= mmdet < Version('3.0.0rc5'):
            wrong.append(f'mmdet {mmdet or "missing"} (wants >=3.0.0rc0,<3.0.0rc5: from rc5 '
                         "on the metadata key 'CLASSES' became 'classes', and rc6 breaks "
                         'import mmtrack.models)')
        if version('mmengine', 'mmengine') is None:
            wrong.append('mmengine missing')
    if wrong:
        raise ImportError(f'mmlsts needs {_GENERATIONS[generation]}; mmtrack {mmtrack} is '
                          f'installed, but: {"; ".join(wrong)}. {_HOW}')
    return generation


def apply() -> int:
    """Apply every fix the installed generation needs, once; returns the generation."""
    global _applied
    if _applied is not None:
        return _applied
    generation = installed_generation()
    _restore_numpy_aliases()
    if generation == 0:
        _install_checkpoint_loader()
        _default_replicated_tensor_flag()
        _scatter_streams_by_device()
    else:
        from mmengine.runner.checkpoint import CheckpointLoader
        CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)
    _applied = generation
    return generation
