"""MMTracking's distributed launcher (``--launcher pytorch``) on CPU processes (gloo): opt-in.

``tools/dist_train.sh`` / ``tools/dist_test.sh`` start one process per device with
``python -m torch.distributed.run`` and MMTracking's own tools with ``--launcher pytorch``. That
code path assumes CUDA everywhere: ``mmcv.runner.init_dist`` calls ``torch.cuda.set_device``,
``mmtrack.apis.train_model`` and the test tool wrap the model as
``MMDistributedDataParallel(model.cuda(), device_ids=[torch.cuda.current_device()])``, and
``collect_results_cpu`` broadcasts its temporary folder in a CUDA tensor. So that the same
launcher path can run (and be tested) with the gloo backend on machines without a GPU,
:func:`setup_launcher` makes, only in a launched process that sees no CUDA:

1. ``init_dist``: no ``set_device``; backend ``gloo`` (``nccl`` needs GPUs);
2. the process's "current device" is the CPU: ``torch.nn.Module.cuda()`` keeps a module where it
   is and ``torch.cuda.current_device()`` answers -1 (mmcv's device id for the CPU);
3. ``MMDistributedDataParallel`` is ``CPUDistributedDataParallel`` (:func:`cpu_ddp_class`):
   torch's CPU DDP (no device ids) that unpacks mmcv's DataContainers the way
   ``MMDataParallel`` does on the CPU;
4. ``collect_results_cpu`` shares its temporary folder with ``broadcast_object_list``;
5. ``init_random_seed`` (called when no ``--seed`` is given) broadcasts on the CPU.

With CUDA present nothing of this is touched. Only our ``tools/train.py`` and ``tools/test.py``
call :func:`setup_launcher`; the fixes that the distributed GPU path needs under torch >= 2.1
(mmcv's DDP forward, mmcv's scatter streams) are not here but in :mod:`mmlsts.compat`, applied
by ``import mmlsts``, so MMTracking's own tools get them too.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile

import torch

__all__ = ['cpu_ddp_class', 'launcher_from_argv', 'setup_launcher']

_logger = logging.getLogger(__name__)
_applied: set[str] = set()


def launcher_from_argv(argv: list[str]) -> str:
    """The ``--launcher`` value of an MMTracking tool's command line ('none' when absent)."""
    for i, arg in enumerate(argv):
        if arg == '--launcher' and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith('--launcher='):
            return arg.split('=', 1)[1]
    return 'none'


@functools.cache
def cpu_ddp_class() -> type:
    """:class:`CPUDistributedDataParallel`, built on first use (it needs mmcv)."""
    from mmcv.parallel.distributed import MMDistributedDataParallel
    from mmcv.parallel.scatter_gather import scatter_kwargs

    class CPUDistributedDataParallel(MMDistributedDataParallel):
        """``MMDistributedDataParallel`` for CPU processes (torch's DDP with no device ids).

        mmcv's DDP unpacks DataContainers only when it has device ids; on the CPU it has none,
        so every entry point first scatters to mmcv's CPU id -1, as ``MMDataParallel`` does.
        """

        def __init__(self, module, device_ids=None, output_device=None, **kwargs):
            super().__init__(module, device_ids=None, output_device=None, **kwargs)

        def _unpack(self, inputs, kwargs):
            inputs, kwargs = scatter_kwargs(inputs, kwargs, [-1], dim=self.dim)
            return inputs[0], kwargs[0]

        def train_step(self, *inputs, **kwargs):
            inputs, kwargs = self._unpack(inputs, kwargs)
            return super().train_step(*inputs, **kwargs)

        def val_step(self, *inputs, **kwargs):
            inputs, kwargs = self._unpack(inputs, kwargs)
            return super().val_step(*inputs, **kwargs)

        def _run_ddp_forward(self, *inputs, **kwargs):
            inputs, kwargs = self._unpack(inputs, kwargs)
            return super()._run_ddp_forward(*inputs, **kwargs)

    return CPUDistributedDataParallel


def _init_dist_pytorch_cpu(backend: str, **kwargs) -> None:
    """mmcv's ``_init_dist_pytorch`` without ``torch.cuda.set_device``; gloo for nccl."""
    import torch.distributed as dist
    if backend == 'nccl':
        _logger.warning('mmlsts.dist: no CUDA in this process: backend gloo instead of nccl')
        backend = 'gloo'
    dist.init_process_group(backend=backend, **kwargs)


def _module_stays_on_cpu(module, device=None):
    """``Module.cuda()`` in a launched CPU process: the process's device is the CPU."""
    return module


def _collect_results_cpu(original, result_part, tmpdir=None):
    """mmtrack's ``collect_results_cpu`` with its temporary folder shared over gloo."""
    import torch.distributed as dist
    if tmpdir is None:
        shared = [tempfile.mkdtemp() if dist.get_rank() == 0 else None]
        dist.broadcast_object_list(shared, src=0)
        tmpdir = shared[0]
    return original(result_part, tmpdir)


def _setup_cpu() -> None:
    import mmcv.parallel
    import mmcv.runner.dist_utils
    import mmtrack.apis
    import mmtrack.apis.test
    import mmtrack.apis.train

    ddp = cpu_ddp_class()
    mmcv.runner.dist_utils._init_dist_pytorch = _init_dist_pytorch_cpu
    torch.nn.Module.cuda = _module_stays_on_cpu
    torch.cuda.current_device = lambda: -1
    mmcv.parallel.MMDistributedDataParallel = ddp
    mmtrack.apis.train.MMDistributedDataParallel = ddp
    mmtrack.apis.test.collect_results_cpu = functools.partial(
        _collect_results_cpu, mmtrack.apis.test.collect_results_cpu)
    seed = functools.partial(mmtrack.apis.train.init_random_seed, device='cpu')
    mmtrack.apis.init_random_seed = mmtrack.apis.train.init_random_seed = seed


def setup_launcher(launcher: str, cuda: bool | None = None) -> list[str]:
    """Prepare this process for an MMTracking tool run with ``--launcher launcher``.

    Returns what was applied (for logs and tests): ['cpu'] where the process has no CUDA
    (``cuda`` overrides the detection), else nothing. Idempotent.
    """
    if launcher in (None, 'none'):
        return []
    if cuda is None:
        cuda = torch.cuda.is_available()
    if not cuda and 'cpu' not in _applied:
        if launcher != 'pytorch':
            raise RuntimeError(f'mmlsts.dist: --launcher {launcher} needs CUDA; without a GPU '
                               'only --launcher pytorch (tools/dist_train.sh) runs, on gloo')
        _setup_cpu()
        _applied.add('cpu')
        _logger.warning('mmlsts.dist: rank %s of %s: no CUDA, distributed on CPU processes '
                        '(gloo)', os.environ.get('RANK', '?'), os.environ.get('WORLD_SIZE', '?'))
    return sorted(_applied)
