"""GPU readiness check for mmlsts: one command on a GPU machine, one markdown report.

    bash tools/gpu_check.sh collect-wheels [--dest .whl] [--extra NAME==VER ...]  # here (online)
    bash tools/gpu_check.sh run [--steps a,b] [--skip a,b] [--budget S] ...        # GPU machine
    bash tools/gpu_check.sh report                                               # anywhere

A lent GPU machine reaches no package registry, so ``collect-wheels`` downloads here, into
``.whl/`` (git-ignored), every wheel its image lacks and the mmcv-full sdist. ``run`` then
installs them with ``pip --target``, compiles mmcv-full's CUDA ops against that machine's own
torch (tools/build_mmcv.sh), runs the GPU tests and the rest of the suite, the LSTS op and video
detector benchmarks (fp32 and fp16, 600x1000) and a short training of the tiny config, and writes
every table into one markdown report under ``$OUT`` (default work_dirs/gpu_check). On a GPU box
of your own, set up with ``MMLSTS_CUDA=1 bash tools/setup_env.sh``, ``run`` skips installing and
compiling. Each step records its result under ``--state`` (default build/gpu_check), so a check
split over several calls still ends in one report. Standard library only: this file runs before
anything is installed. docs/gpu.md has the details.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import os.path as osp
import re
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MIB = 2**20


# Wheels ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Wheel:
    """One distribution to carry: ``group`` says where it goes on the GPU machine."""

    name: str
    version: str
    group: str  # 'stack': always on the path; 'numpy1': only with numpy 1.26 (see install)
    why: str

    @property
    def spec(self) -> str:
        return f'{self.name}=={self.version}'


SDIST = Wheel('mmcv-full', '1.7.2', 'sdist', 'compiled there with CUDA ops (tools/build_mmcv.sh)')
WHEELS = (
    Wheel('mmdet', '2.28.2', 'stack', 'the detector framework'),
    Wheel('mmtrack', '0.14.0', 'stack', 'video detection, its tools and --eval bbox'),
    Wheel('mmcls', '0.25.0', 'stack', 'mmtrack (mmcls < 1)'),
    Wheel('addict', '2.4.0', 'stack', 'mmcv'),
    Wheel('yapf', '0.40.1', 'stack', 'mmcv Config (0.40.2 breaks mmcv 1.x)'),
    Wheel('importlib-metadata', '8.7.0', 'stack', 'yapf'),
    Wheel('platformdirs', '4.14.7', 'stack', 'yapf'),
    Wheel('tomli', '2.5.0', 'stack', 'yapf'),
    Wheel('terminaltables', '3.1.10', 'stack', 'mmdet, mmtrack'),
    Wheel('pycocotools', '2.0.11', 'stack', 'mmdet, --eval bbox'),
    Wheel('lap', '0.5.13', 'stack', 'mmtrack'),
    Wheel('motmetrics', '1.4.0', 'stack', 'imported by mmtrack'),
    Wheel('xmltodict', '1.0.4', 'stack', 'motmetrics'),
    Wheel('attributee', '0.1.10', 'stack', 'mmtrack'),
    Wheel('dotty-dict', '1.3.1', 'stack', 'mmtrack'),
    Wheel('setuptools', '80.9.0', 'stack', "mmcv-full's setup.py needs pkg_resources (< 81)"),
    Wheel('numpy', '1.26.4', 'numpy1', 'the stack is tested on numpy < 2 (machine: 2.x)'),
    Wheel('pandas', '2.2.3', 'numpy1', "mmtrack imports it; accepts numpy 1.26 (the machine's "
          'may not)'),
    Wheel('pytz', '2025.2', 'numpy1', 'pandas 2.x'),
    Wheel('tzdata', '2025.2', 'numpy1', 'pandas 2.x'),
)
# What the lent machines' image already holds, among the names the stack needs (KINDS.md of the
# device tool, "Python packages already there", read 2026-11-17). numpy, pandas and setuptools
# are there too, but in versions the stack cannot use, so they are carried.
ON_THE_MACHINE = frozenset({
    'torch', 'torchvision', 'numpy', 'pandas', 'setuptools', 'scipy', 'matplotlib', 'seaborn',
    'opencv-python-headless', 'pillow', 'pyyaml', 'packaging', 'six', 'tqdm', 'zipp', 'pytest',
    'python-dateutil', 'ninja', 'wheel', 'psutil', 'requests'})
PLATFORMS = ('manylinux_2_28_x86_64', 'manylinux_2_27_x86_64', 'manylinux_2_17_x86_64',
             'manylinux2014_x86_64', 'manylinux1_x86_64')
MAX_WHEELS_MIB = 60  # what travels is at most 64 MiB, the working tree included
# Compiled against numpy: an --extra wheel of these goes with the carried numpy 1.26.
NUMPY1_BOUND = frozenset({'numpy', 'pandas', 'scipy', 'opencv-python-headless', 'matplotlib'})


def normalize(name: str) -> str:
    """PEP 503 name: 'Dotty_Dict' and 'dotty-dict' are the same project."""
    return re.sub(r'[-_.]+', '-', name).lower()


def wanted_wheels(extra: list[str] | None = None) -> list[Wheel]:
    """The wheels to carry: ``WHEELS`` plus ``extra`` 'NAME==VERSION' specs (replacing)."""
    wheels = {normalize(w.name): w for w in WHEELS}
    for spec in extra or []:
        name, sep, version = spec.partition('==')
        if not sep or not name or not version:
            raise ValueError(f"gpu_check: --extra takes NAME==VERSION, got '{spec}'")
        group = 'numpy1' if normalize(name) in NUMPY1_BOUND else 'stack'
        wheels[normalize(name)] = Wheel(name, version, group, 'asked for with --extra')
    return list(wheels.values())


def parse_dist_filename(filename: str) -> tuple[str, str] | None:
    """(normalized project, version) of a wheel or sdist file name, None for other files."""
    base = osp.basename(filename)
    if base.endswith('.whl'):
        parts = base[:-4].split('-')
        return (normalize(parts[0]), parts[1]) if len(parts) >= 5 else None
    for ext in ('.tar.gz', '.zip'):
        if base.endswith(ext):
            name, sep, version = base[:-len(ext)].rpartition('-')
            return (normalize(name), version) if sep and name else None
    return None


def inventory(dest: str) -> list[dict]:
    """Every distribution file in ``dest``: file, project, version, bytes."""
    rows = []
    for path in sorted(glob.glob(osp.join(dest, '*'))):
        parsed = parse_dist_filename(path)
        if parsed and osp.isfile(path):
            rows.append(dict(file=osp.basename(path), project=parsed[0], version=parsed[1],
                             bytes=osp.getsize(path)))
    return rows


def check_inventory(rows: list[dict], wanted: list[Wheel], sdist: Wheel = SDIST,
                    max_mib: float = MAX_WHEELS_MIB) -> list[str]:
    """Problems that would stop the install on the GPU machine (empty list: none)."""
    problems = []
    by_project: dict[str, list[dict]] = {}
    for row in rows:
        by_project.setdefault(row['project'], []).append(row)
    for project, found in sorted(by_project.items()):
        if len(found) > 1:
            problems.append(f'{project}: {len(found)} files ('
                            + ', '.join(r['file'] for r in found) + '): keep one')
    for want in [*wanted, sdist]:
        found = by_project.get(normalize(want.name), [])
        if not any(r['version'] == want.version for r in found):
            problems.append(f'{want.spec}: missing')
    total = sum(r['bytes'] for r in rows)
    if total > max_mib * MIB:
        problems.append(f'{total / MIB:.1f} MiB in all: more than {max_mib} MiB')
    return problems


def stale_files(rows: list[dict], wanted: list[Wheel], sdist: Wheel = SDIST) -> list[str]:
    """Files of wanted projects in other versions: removed before downloading."""
    versions = {normalize(w.name): w.version for w in [*wanted, sdist]}
    return [r['file'] for r in rows
            if r['project'] in versions and r['version'] != versions[r['project']]]


def download_commands(python: str, dest: str, wheels: list[Wheel], sdist: Wheel | None = SDIST,
                      python_version: str = '3.12') -> list[list[str]]:
    """pip download commands: binary wheels for the GPU machine's CPython (x86-64 manylinux),
    and the sdist with this machine's python (its setup.py imports torch for metadata)."""
    pip = [python, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps',
           '-d', dest]
    commands = []
    if wheels:
        platforms = [arg for p in PLATFORMS for arg in ('--platform', p)]
        commands.append(pip + ['--only-binary=:all:', '--python-version', python_version,
                               '--implementation', 'cp', *platforms, *(w.spec for w in wheels)])
    if sdist is not None:
        commands.append(pip + ['--no-binary', ':all:', '--no-build-isolation', sdist.spec])
    return commands


def wheel_table(rows: list[dict], wanted: list[Wheel]) -> str:
    """Markdown table of the carried files and their total size."""
    why = {normalize(w.name): (w.group, w.why) for w in [*wanted, SDIST]}
    body = [[r['file'], *why.get(r['project'], ('?', 'not in the list')),
             f"{r['bytes'] / MIB:.2f}"] for r in rows]
    total = sum(r['bytes'] for r in rows) / MIB
    return markdown_table(['file', 'group', 'why', 'MiB'], body) + \
        f'\n{len(rows)} files, {total:.1f} MiB in all\n'


def collect_wheels(args: argparse.Namespace) -> int:
    """Download what the GPU machine lacks into ``args.dest``; idempotent."""
    wanted = wanted_wheels(args.extra)
    os.makedirs(args.dest, exist_ok=True)
    for name in stale_files(inventory(args.dest), wanted):
        print(f'[gpu_check] removing {name} (another version is wanted)')
        os.remove(osp.join(args.dest, name))
    have = {(r['project'], r['version']) for r in inventory(args.dest)}
    missing = [w for w in wanted if (normalize(w.name), w.version) not in have]
    sdist = None if (normalize(SDIST.name), SDIST.version) in have else SDIST
    for cmd in download_commands(args.python, args.dest, missing, sdist):
        print('[gpu_check] ' + ' '.join(cmd), flush=True)
        if args.dry_run:
            continue
        done = subprocess.run(cmd, check=False)
        if done.returncode != 0:
            print('[gpu_check] pip download failed', file=sys.stderr)
            return done.returncode
    rows = inventory(args.dest)
    print(wheel_table(rows, wanted))
    problems = [] if args.dry_run else check_inventory(rows, wanted, max_mib=args.max_mib)
    for problem in problems:
        print(f'[gpu_check] problem: {problem}', file=sys.stderr)
    return 1 if problems else 0


# Steps on the GPU machine ---------------------------------------------------------------------
STEPS = ('install', 'build', 'env', 'gpu-tests', 'bench-lsts', 'bench-vid', 'train', 'tests')
# Rough least seconds a step needs on a lent H100 (16 cores): with less left it is not started.
MIN_SECONDS = {'install': 20, 'build': 240, 'env': 5, 'gpu-tests': 60, 'bench-lsts': 45,
               'bench-vid': 150, 'train': 120, 'tests': 240}
REPORT_RESERVE = 15
PACKAGES = {'numpy1': 'carried wheels with numpy 1.26 (the tested stack)',
            'machine': "carried wheels with the machine's numpy 2 (NOT the tested stack)",
            'own': "the interpreter's own packages"}
VID_CONFIGS = ('configs/vid/lsts_r101.py', 'configs/vid/dff_r101.py', 'configs/vid/fgfa_r101.py',
               'configs/vid/selsa_r101.py', 'configs/vid/lsts_r101.py#detector')
# Deselected from the suite on the lent machine, with the reason shown in the report.
SUITE_DESELECT = {
    'tests/test_foundation.py::test_stack_versions':
        'pins torch 2.14.1; the lent machine has its own torch (2.11)',
}
TINY = 'configs/vid/lsts_tiny_synthetic.py'

PREFLIGHT = r'''
import numpy, cv2, pandas, scipy.optimize, matplotlib, torch, pycocotools.coco, lap, seaborn
import PIL, yaml, yapf, addict, motmetrics
cv2.resize(numpy.zeros((8, 8, 3), numpy.uint8), (4, 4))
pandas.DataFrame({'a': [1, 2]}).sum()
scipy.optimize.linear_sum_assignment(numpy.eye(3))
torch.from_numpy(numpy.ones(3)).sum()
print(numpy.__version__)
'''
MMCV_CUDA_OPS = r'''
import sys
from mmcv.ops import get_compiler_version, get_compiling_cuda_version, nms  # noqa
version = get_compiling_cuda_version()
print(f'CUDA {version}, {get_compiler_version()}')
sys.exit(version == 'not available')
'''
ENV_INFO = r'''
import importlib, json, os, platform, subprocess, sys
info = {'python': f'{platform.python_version()} ({sys.executable})', 'cpus': os.cpu_count()}
def attempt(key, fn):
    try:
        info[key] = fn()
    except Exception as err:  # noqa
        info[key] = f'unavailable ({type(err).__name__}: {err})'[:300]
for mod in ('torch', 'torchvision', 'numpy', 'cv2', 'pandas', 'scipy', 'mmcv', 'mmdet',
            'mmtrack', 'mmcls', 'pycocotools'):
    attempt(mod, lambda m=mod: getattr(importlib.import_module(m), '__version__', '?'))
def gpu():
    import torch
    if not torch.cuda.is_available():
        return 'none visible to torch'
    p = torch.cuda.get_device_properties(0)
    return (f'{p.name}, {p.total_memory / 2**30:.0f} GiB, sm_{p.major}{p.minor}, '
            f'{p.multi_processor_count} SMs; torch CUDA {torch.version.cuda}, '
            f'cuDNN {torch.backends.cudnn.version()}')
attempt('gpu', gpu)
def mmcv_ops():
    from mmcv.ops import get_compiler_version, get_compiling_cuda_version
    return f'CUDA {get_compiling_cuda_version()}, {get_compiler_version()}'
attempt('mmcv ops', mmcv_ops)
def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
attempt('nvidia-smi', lambda: run(['nvidia-smi', '--query-gpu=name,driver_version,memory.total',
                                   '--format=csv,noheader']))
def nvcc():
    for exe in ('nvcc', '/usr/local/cuda/bin/nvcc'):
        try:
            return run([exe, '--version']).splitlines()[-1]
        except Exception:  # noqa
            pass
    return 'not found'
attempt('nvcc', nvcc)
print(json.dumps(info))
'''


class Context:
    """Paths, the time budget and the environment of one ``run``."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = args.python
        self.state = osp.abspath(args.state)
        self.out = osp.abspath(args.out)
        self.wheels = osp.abspath(args.wheels)
        self.deadline = time.monotonic() + args.budget
        for sub in ('', 'logs', 'steps'):
            os.makedirs(osp.join(self.state, sub), exist_ok=True)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def env(self) -> dict:
        """Environment of every command: the chosen PYTHONPATH, unbuffered output."""
        env = dict(os.environ, PYTHONUNBUFFERED='1', MPLBACKEND='Agg')
        mode = load_json(osp.join(self.state, 'mode.json')) or {}
        paths = [*mode.get('pythonpath', []), REPO]
        if os.environ.get('PYTHONPATH'):
            paths.append(os.environ['PYTHONPATH'])
        env['PYTHONPATH'] = os.pathsep.join(paths)
        return env

    def log_path(self, step: str) -> str:
        return osp.join(self.state, 'logs', f'{step}.log')

    def sh(self, step: str, cmd: list[str], cwd: str = REPO, env: dict | None = None,
           reserve: float = REPORT_RESERVE) -> tuple[int, float]:
        """Run ``cmd`` appending to the step's log, within the time left; (exit code, s)."""
        timeout = max(self.left() - reserve, 1.0)
        start = time.monotonic()
        with open(self.log_path(step), 'a') as log:
            log.write(f'\n$ (cd {cwd} && {" ".join(cmd)})\n')
            log.flush()
            try:
                code = subprocess.run(cmd, cwd=cwd, env=env or self.env(), stdout=log,
                                      stderr=subprocess.STDOUT, timeout=timeout,
                                      check=False).returncode
            except subprocess.TimeoutExpired:
                log.write(f'\n[gpu_check] timed out after {timeout:.0f} s\n')
                code = 124
        return code, time.monotonic() - start

    def python_json(self, code: str, env: dict | None = None) -> tuple[int, str]:
        done = subprocess.run([self.python, '-c', code], env=env or self.env(), text=True,
                              capture_output=True, timeout=300, check=False)
        return done.returncode, (done.stdout.strip() or done.stderr.strip()[-1500:])


def load_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def save_json(path: str, data) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def result(status: str, summary: str, **extra) -> dict:
    """A step's record: status 'ok' | 'failed' | 'skipped', a one-line summary, extras."""
    return dict(status=status, summary=summary, **extra)


def step_install(ctx: Context) -> dict:
    """pip --target the carried wheels; choose numpy 1.26 or the machine's numpy."""
    rows = inventory(ctx.wheels)
    if not any(r['file'].endswith('.whl') for r in rows):
        save_json(osp.join(ctx.state, 'mode.json'), dict(mode='own', pythonpath=[]))
        return result('skipped', f'no wheels in {ctx.wheels}: the interpreter\'s own packages')
    wanted = wanted_wheels(ctx.args.extra)
    group = {normalize(w.name): w.group for w in wanted}
    sites = {'stack': osp.join(ctx.state, 'site'), 'numpy1': osp.join(ctx.state, 'site-np1')}
    for name, site in sites.items():
        files = [osp.join(ctx.wheels, r['file']) for r in rows if r['file'].endswith('.whl')
                 and group.get(r['project']) == name]
        marker = osp.join(site, '.gpu_check_wheels')
        listed = '\n'.join(sorted(osp.basename(f) for f in files))
        if read_text(marker) == listed:
            continue
        shutil.rmtree(site, ignore_errors=True)
        os.makedirs(site)
        code, _ = ctx.sh('install', [ctx.python, '-m', 'pip', 'install', '-q', '--no-index',
                                     '--no-deps', '--no-compile', '--no-cache-dir', '--upgrade',
                                     '--target', site, *files], env=dict(os.environ))
        if code != 0:
            return result('failed', f'pip install --target {site} failed (exit {code})')
        with open(marker, 'w') as f:
            f.write(listed)
    tried = {}
    for mode, paths in (('numpy1', [sites['numpy1'], sites['stack']]),
                        ('machine', [sites['stack']])):
        save_json(osp.join(ctx.state, 'mode.json'), dict(mode=mode, pythonpath=paths))
        code, out = ctx.python_json(PREFLIGHT)
        tried[mode] = out.splitlines()[-1] if out else ''
        if code == 0:
            note = ('carried numpy ' + out.splitlines()[-1] if mode == 'numpy1' else
                    f"the machine's numpy {out.splitlines()[-1]} (numpy 1.26 failed: "
                    f"{tried['numpy1']}); not the tested stack")
            return result('ok', f'{len(rows)} files carried; {note}', mode=mode, tried=tried,
                          wheels=rows)
    save_json(osp.join(ctx.state, 'mode.json'), dict(mode='numpy1', pythonpath=[
        sites['numpy1'], sites['stack']]))
    return result('failed', 'no numpy works with the machine\'s compiled packages: '
                  + '; '.join(f'{k}: {v}' for k, v in tried.items()), tried=tried, wheels=rows)


def cuda_arch(ctx: Context) -> str:
    """TORCH_CUDA_ARCH_LIST: --arch, else the visible GPU's compute capability."""
    if ctx.args.arch:
        return ctx.args.arch
    code, out = ctx.python_json('import torch; c = torch.cuda.get_device_capability(); '
                                "print(f'{c[0]}.{c[1]}')")
    if code != 0:
        raise RuntimeError(f'no GPU visible to torch and no --arch given ({out})')
    return out.splitlines()[-1]


def flavour_name(arch: str) -> str:
    """Folder name of a build, as tools/setup_env.sh names it ('9.0;8.0' -> 'cuda-9_0_8_0')."""
    return 'cuda-' + re.sub(r'[^0-9a-zA-Z]', '_', arch)


def step_build(ctx: Context) -> dict:
    """mmcv-full with CUDA ops against the machine's torch: reuse, install a carried wheel, or
    compile the carried sdist (several minutes)."""
    code, out = ctx.python_json(MMCV_CUDA_OPS)
    if code == 0:
        return result('skipped', f'mmcv-full already has CUDA ops ({out})')
    site = osp.join(ctx.state, 'site')
    if not osp.isdir(site):
        return result('failed', 'mmcv-full has no CUDA ops and no carried wheels were '
                      'installed: on your own machine run MMLSTS_CUDA=1 bash tools/setup_env.sh')
    arch = cuda_arch(ctx)
    carried = sorted(glob.glob(osp.join(ctx.wheels, 'mmcv_full-*-cp3*.whl')))
    wheel_dir = osp.join(ctx.state, 'mmcv', flavour_name(arch))
    built = sorted(glob.glob(osp.join(wheel_dir, 'mmcv_full-*.whl')))
    seconds, origin = 0.0, 'built earlier in this state folder'
    if not built and carried:
        built, origin = carried, f'carried in {osp.basename(ctx.wheels)}/'
    if not built:
        # Offline: build_mmcv.sh's `pip download` finds the carried sdist in the wheel folder.
        env = dict(ctx.env(), PIP_NO_INDEX='1', PIP_FIND_LINKS=ctx.wheels,
                   TORCH_CUDA_ARCH_LIST=arch, MAX_JOBS=str(ctx.args.jobs or os.cpu_count()))
        nvcc = [p for p in ['/usr/local/cuda/bin/nvcc', *sorted(glob.glob(
            '/usr/local/cuda-*/bin/nvcc'))] if osp.exists(p)]
        if 'CUDA_HOME' not in env and nvcc:  # also for setup.py's metadata run, before the build
            env['CUDA_HOME'] = osp.dirname(osp.dirname(nvcc[0]))
        code, seconds = ctx.sh('build', ['bash', osp.join(REPO, 'tools', 'build_mmcv.sh'),
                                         ctx.python, wheel_dir, flavour_name(arch)], env=env)
        built = sorted(glob.glob(osp.join(wheel_dir, 'mmcv_full-*.whl')))
        if code != 0 or not built:
            return result('failed', f'compiling mmcv-full for {arch} failed (exit {code}) '
                          f'after {seconds:.0f} s', arch=arch, seconds=seconds)
        origin = f'compiled here in {seconds:.0f} s with MAX_JOBS={env["MAX_JOBS"]}'
    code, _ = ctx.sh('build', [ctx.python, '-m', 'pip', 'install', '-q', '--no-index',
                               '--no-deps', '--no-compile', '--upgrade', '--target', site,
                               built[-1]], env=dict(os.environ))
    ok, ops = ctx.python_json(MMCV_CUDA_OPS)
    info = dict(arch=arch, wheel=osp.basename(built[-1]), seconds=seconds,
                wheel_mib=osp.getsize(built[-1]) / MIB, ops=ops, origin=origin)
    if code != 0 or ok != 0:
        return result('failed', f'mmcv-full installed but its CUDA ops do not load: {ops}',
                      **info)
    if ctx.args.export_wheel:
        if osp.getsize(built[-1]) <= 16 * MIB:
            os.makedirs(ctx.out, exist_ok=True)
            shutil.copy(built[-1], ctx.out)
            info['exported'] = True
        else:
            info['exported'] = False
    return result('ok', f'{osp.basename(built[-1])} for TORCH_CUDA_ARCH_LIST={arch}: {origin}; '
                  f'ops {ops}', **info)


def step_env(ctx: Context) -> dict:
    code, out = ctx.python_json(ENV_INFO)
    if code != 0:
        return result('failed', f'environment query failed: {out}')
    info = json.loads(out.splitlines()[-1])
    mode = (load_json(osp.join(ctx.state, 'mode.json')) or {}).get('mode', 'own')
    info['packages'] = PACKAGES.get(mode, mode)
    return result('ok', f"{info.get('gpu')}; torch {info.get('torch')}", info=info)


def parse_junit(path: str) -> dict:
    """Counts and cases of a pytest --junitxml file."""
    counts = dict(passed=0, failed=0, error=0, skipped=0, xfailed=0)
    cases = []
    root = ET.parse(path).getroot()
    for case in root.iter('testcase'):
        name = case.get('classname', '').replace('.', '/') + '.py::' + case.get('name', '')
        outcome, message = 'passed', ''
        for child in case:
            tag = child.tag
            if tag in ('failure', 'error', 'skipped'):
                message = (child.get('message') or '').strip().splitlines()
                message = message[0][:160] if message else ''
                if tag == 'skipped':
                    outcome = 'xfailed' if child.get('type') == 'pytest.xfail' else 'skipped'
                else:
                    outcome = 'failed' if tag == 'failure' else 'error'
                break
        counts[outcome] += 1
        cases.append(dict(test=name, outcome=outcome, seconds=float(case.get('time', 0) or 0),
                          message=message))
    return dict(counts=counts, cases=cases)


def counts_line(counts: dict) -> str:
    return ', '.join(f'{v} {k}' for k, v in counts.items() if v) or 'no tests'


def step_pytest(ctx: Context, step: str, args: list[str], need_gpu: bool) -> dict:
    xml = osp.join(ctx.state, f'{step}.xml')
    if osp.exists(xml):
        os.remove(xml)
    cmd = [ctx.python, '-m', 'pytest', '-ra', '-p', 'no:cacheprovider', f'--junitxml={xml}',
           *args, 'tests']
    code, seconds = ctx.sh(step, cmd)
    if not osp.exists(xml):
        return result('failed', f'pytest exited {code} without a report', seconds=seconds)
    junit = parse_junit(xml)
    counts = junit['counts']
    bad = counts['failed'] + counts['error']
    status = 'ok' if code == 0 and not bad else 'failed'
    summary = counts_line(counts)
    if need_gpu and counts['passed'] == 0:
        status, summary = 'failed', summary + ' (no GPU test ran: is CUDA visible?)'
    return result(status, f'{summary} in {seconds:.0f} s', seconds=seconds, junit=junit,
                  command=' '.join(cmd[1:]).replace(ctx.state, '<state>'))


def step_gpu_tests(ctx: Context) -> dict:
    return step_pytest(ctx, 'gpu-tests', ['-m', 'gpu'], need_gpu=True)


def step_tests(ctx: Context) -> dict:
    deselect = [arg for test in SUITE_DESELECT for arg in ('--deselect', test)]
    res = step_pytest(ctx, 'tests', ['-m', 'not gpu', *deselect], need_gpu=False)
    res['deselected'] = SUITE_DESELECT
    return res


def step_bench_lsts(ctx: Context) -> dict:
    out = osp.join(ctx.state, 'bench_lsts.md')
    cmd = [ctx.python, 'tools/analysis/benchmark_lsts.py', '--device', 'cuda', '--out', out]
    code, seconds = ctx.sh('bench-lsts', cmd)
    if code != 0 or not osp.exists(out):
        return result('failed', f'exit {code} after {seconds:.0f} s', seconds=seconds)
    return result('ok', f'{seconds:.0f} s', seconds=seconds, table=open(out).read(),
                  command=' '.join(cmd[1:]).replace(ctx.state, '<state>'))


def bench_vid_command(python: str, configs: list[str], size: tuple[int, int], fp16: bool,
                      out_dir: str, frames: int | None = None) -> list[str]:
    """tools/analysis/benchmark_vid.py on the GPU (its CLI: configs, --device, --size, ...)."""
    cmd = [python, 'tools/analysis/benchmark_vid.py', *configs, '--device', 'cuda',
           '--size', str(size[0]), str(size[1]), '--out-dir', out_dir]
    if frames:
        cmd += ['--frames', str(frames)]
    return cmd + (['--fp16'] if fp16 else [])


def step_bench_vid(ctx: Context) -> dict:
    tables, failed, total = {}, [], 0.0
    for precision in ('fp32', 'fp16'):
        out_dir = osp.join(ctx.state, f'bench_vid_{precision}')
        shutil.rmtree(out_dir, ignore_errors=True)
        cmd = bench_vid_command(ctx.python, list(ctx.args.vid_configs), tuple(ctx.args.size),
                                precision == 'fp16', out_dir, ctx.args.vid_frames)
        code, seconds = ctx.sh('bench-vid', cmd)
        total += seconds
        md = osp.join(out_dir, 'benchmark_vid.md')
        if code != 0 or not osp.exists(md):
            failed.append(f'{precision} (exit {code})')
            continue
        tables[precision] = open(md).read()
    status = 'failed' if failed else 'ok'
    summary = (f'failed: {", ".join(failed)}; ' if failed else '') + f'{total:.0f} s'
    return result(status, summary, seconds=total, tables=tables)


def parse_train_log(path: str) -> dict:
    """Loss, iteration time and GPU memory per epoch, and the val metrics, from mmcv's
    ``<timestamp>.log.json``."""
    epochs: dict[int, dict] = {}
    val = {}
    with open(path) as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get('mode') == 'train':
                ep = epochs.setdefault(int(entry['epoch']), dict(loss=[], time=[], memory=[]))
                ep['loss'].append(float(entry.get('loss', 'nan')))
                if 'time' in entry:
                    ep['time'].append(float(entry['time']))
                if 'memory' in entry:
                    ep['memory'].append(float(entry['memory']))
                ep['iters'] = int(entry.get('iter', 0))
            elif entry.get('mode') == 'val':
                val = {k: v for k, v in entry.items() if k.startswith('bbox_mAP')
                       and isinstance(v, (int, float))}
    rows = []
    for epoch, ep in sorted(epochs.items()):
        rows.append(dict(epoch=epoch, iters=ep.get('iters', 0),
                         loss=ep['loss'][-1] if ep['loss'] else float('nan'),
                         s_per_iter=statistics.median(ep['time']) if ep['time'] else None,
                         memory_mb=max(ep['memory']) if ep['memory'] else None))
    return dict(epochs=rows, val=val)


def parse_metrics(text: str) -> dict:
    """The last metric dict tools/test.py printed: {'bbox_mAP': 0.1, 'bbox_mAP_50': ...}."""
    found = {}
    for key, value in re.findall(r"'(bbox_mAP[a-z0-9_]*)': (-?[0-9.]+(?:e-?[0-9]+)?)", text):
        found[key] = float(value)
    return found


def step_train(ctx: Context) -> dict:
    """Like tools/quickstart.sh, on the GPU: synthetic set, convert, train, test --eval bbox."""
    epochs = ctx.args.train_epochs
    cwd = osp.join(ctx.state, 'train')
    root = 'data/synthetic_vid/ILSVRC'
    work = 'work_dirs/tiny'
    shutil.rmtree(osp.join(cwd, 'work_dirs'), ignore_errors=True)
    os.makedirs(cwd, exist_ok=True)
    tool = osp.join(REPO, 'tools')
    config = osp.join(REPO, TINY)
    phases = [
        ('data', [ctx.python, osp.join(tool, 'make_synthetic_vid.py'), '-o', root, '--seed', '0',
                  '--overwrite']),
        ('convert', [ctx.python, osp.join(tool, 'convert_datasets', 'ilsvrc.py'), '-i', root,
                     '-o', f'{root}/annotations']),
        ('train', [ctx.python, osp.join(tool, 'train.py'), config, '--work-dir', work, '--seed',
                   '0', '--cfg-options', f'total_epochs={epochs}',
                   f'checkpoint_config.interval={epochs}', f'evaluation.interval={epochs}',
                   f'lr_config.step=[{epochs * 2 // 3},{epochs * 11 // 12}]',
                   f'data.workers_per_gpu={ctx.args.workers}']),
        ('test', [ctx.python, osp.join(tool, 'test.py'), config, '--checkpoint',
                  f'{work}/latest.pth', '--eval', 'bbox']),
    ]
    seconds = {}
    for phase, cmd in phases:
        mark = osp.getsize(ctx.log_path('train')) if osp.exists(ctx.log_path('train')) else 0
        code, seconds[phase] = ctx.sh('train', cmd, cwd=cwd)
        if code != 0:
            return result('failed', f'{phase} failed (exit {code})', seconds=seconds)
    with open(ctx.log_path('train')) as f:
        f.seek(mark)
        metrics = parse_metrics(f.read())
    logs = sorted(glob.glob(osp.join(cwd, work, '*.log.json')))
    parsed = parse_train_log(logs[-1]) if logs else dict(epochs=[], val={})
    parsed.update(test=metrics, seconds=seconds, epochs_asked=epochs, workers=ctx.args.workers)
    map50 = metrics.get('bbox_mAP_50')
    status = 'ok' if map50 is not None else 'failed'
    return result(status, f'{epochs} epochs in {seconds["train"]:.0f} s, test bbox_mAP_50 = '
                  f'{map50}', **parsed)


STEP_FUNCS = {'install': step_install, 'build': step_build, 'env': step_env,
              'gpu-tests': step_gpu_tests, 'bench-lsts': step_bench_lsts,
              'bench-vid': step_bench_vid, 'train': step_train, 'tests': step_tests}


def select_steps(steps: str | None, skip: str | None) -> list[str]:
    """The steps to run, in STEPS order, from comma lists (``--steps``, ``--skip``)."""
    chosen = list(STEPS) if not steps or steps == 'all' else [s.strip() for s in steps.split(',')]
    skipped = [s.strip() for s in skip.split(',')] if skip else []
    unknown = [s for s in chosen + skipped if s not in STEPS]
    if unknown:
        raise ValueError(f'gpu_check: unknown step(s) {", ".join(unknown)}; '
                         f'steps: {", ".join(STEPS)}')
    return [s for s in STEPS if s in chosen and s not in skipped]


def run_steps(args: argparse.Namespace) -> int:
    """Run the chosen steps within the budget, record each, then write the report."""
    ctx = Context(args)
    if args.fresh:
        for sub in ('steps', 'logs'):
            shutil.rmtree(osp.join(ctx.state, sub), ignore_errors=True)
            os.makedirs(osp.join(ctx.state, sub))
    failed = False
    for step in select_steps(args.steps, args.skip):
        record = osp.join(ctx.state, 'steps', f'{step}.json')
        if args.resume and (load_json(record) or {}).get('status') == 'ok':
            print(f'[gpu_check] {step}: done in an earlier call', flush=True)
            continue
        need = MIN_SECONDS[step] + REPORT_RESERVE
        if ctx.left() < need:
            print(f'[gpu_check] {step}: skipped, {ctx.left():.0f} s left, needs ~{need} s',
                  flush=True)
            if not osp.exists(record):  # never hide an earlier call's result
                save_json(record, result('skipped', f'not run: {ctx.left():.0f} s of the '
                                         f'budget left, needs about {need} s'))
            continue
        print(f'[gpu_check] {step} ...', flush=True)
        start = time.monotonic()
        try:
            res = STEP_FUNCS[step](ctx)
        except Exception as err:  # a broken step must not cost the report
            res = result('failed', f'{type(err).__name__}: {err}')
        res.setdefault('seconds', time.monotonic() - start)
        res['wall_seconds'] = time.monotonic() - start
        res['finished'] = time.strftime('%Y-%m-%d %H:%M:%S')
        save_json(record, res)
        failed |= res['status'] == 'failed'
        print(f"[gpu_check] {step}: {res['status']}: {res['summary']}", flush=True)
    write_report(ctx.state, ctx.out, ' '.join(['bash tools/gpu_check.sh run', *args.argv]))
    return 1 if failed else 0


# Report ---------------------------------------------------------------------------------------
def markdown_table(head: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        return str(value).replace('|', '\\|').replace('\n', ' ')
    lines = ['| ' + ' | '.join(map(cell, head)) + ' |', '|' + ' --- |' * len(head)]
    lines += ['| ' + ' | '.join(map(cell, row)) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return '-'
    if isinstance(value, float):
        return f'{value:.{digits}f}'
    return str(value)


def _junit_section(res: dict, only_problems: bool) -> str:
    junit = res.get('junit')
    if not junit:
        return ''
    cases = junit['cases']
    if only_problems:
        cases = [c for c in cases if c['outcome'] not in ('passed', 'skipped')]
    text = counts_line(junit['counts']) + '\n'
    if cases:
        text += '\n' + markdown_table(
            ['test', 'outcome', 's', 'message'],
            [[c['test'], c['outcome'], f"{c['seconds']:.1f}", c['message']] for c in cases])
    return text


def _train_section(res: dict) -> str:
    if not res.get('epochs'):
        return ''
    rows = [[e['epoch'], e['iters'], _fmt(e['loss'], 4), _fmt(e['s_per_iter']),
             _fmt(e['memory_mb'], 0)] for e in res['epochs']]
    text = markdown_table(['epoch', 'iterations', 'loss (last logged)', 's/iter (median)',
                           'GPU memory MB (max)'], rows)
    seconds = res.get('seconds', {})
    test = res.get('test', {})
    text += '\n' + markdown_table(
        ['train s', 'test s', 'val bbox_mAP_50 (last epoch)', 'test bbox_mAP', 'test bbox_mAP_50'],
        [[_fmt(seconds.get('train'), 0), _fmt(seconds.get('test'), 0),
          _fmt(res.get('val', {}).get('bbox_mAP_50')), _fmt(test.get('bbox_mAP')),
          _fmt(test.get('bbox_mAP_50'))]])
    return text


SECTIONS = {
    'install': 'Carried wheels', 'build': 'mmcv-full CUDA ops', 'env': 'Environment',
    'gpu-tests': 'GPU tests (pytest -m gpu)', 'bench-lsts': 'LSTS op on the GPU',
    'bench-vid': 'Video detectors on the GPU (random weights)',
    'train': 'Training the tiny config on the GPU', 'tests': 'The rest of the suite (not gpu)'}


def assemble_report(records: dict[str, dict], command: str = '') -> str:
    """The markdown report from the steps' records (missing steps say 'not run')."""
    env = (records.get('env') or {}).get('info', {})
    lines = ['# mmlsts GPU check', '']
    if env:
        lines += [f"{env.get('gpu', '?')}; torch {env.get('torch', '?')}, numpy "
                  f"{env.get('numpy', '?')} ({env.get('packages', '?')}), mmcv-full "
                  f"{env.get('mmcv', '?')} (ops: {env.get('mmcv ops', '?')}).", '']
    if command:
        lines += [f'Made by `{command}` on {time.strftime("%Y-%m-%d %H:%M")}.', '']
    rows = []
    for step in STEPS:
        rec = records.get(step)
        if rec is None:
            rows.append([step, 'not run', '-', '-'])
        else:
            rows.append([step, rec['status'], _fmt(rec.get('wall_seconds'), 0), rec['summary']])
    lines += ['## Steps', '', markdown_table(['step', 'status', 's', 'summary'], rows)]
    for step in STEPS:
        rec = records.get(step)
        if not rec or rec['status'] == 'skipped':
            continue
        body = ''
        if step == 'install' and rec.get('wheels'):
            body = (f"Packages: {PACKAGES.get(rec.get('mode'), rec.get('mode'))}; preflight: "
                    + '; '.join(f'{k}: {v}' for k, v in rec.get('tried', {}).items()) + '\n\n'
                    + markdown_table(['file', 'MiB'], [[w['file'], f"{w['bytes'] / MIB:.2f}"]
                                                       for w in rec['wheels']]))
        elif step == 'env' and env:
            body = markdown_table(['item', 'value'], [[k, v] for k, v in env.items()])
        elif step == 'build' and rec.get('wheel'):
            body = markdown_table(
                ['TORCH_CUDA_ARCH_LIST', 'wheel', 'MiB', 'origin', 'ops'],
                [[rec.get('arch'), rec.get('wheel'), _fmt(rec.get('wheel_mib'), 1),
                  rec.get('origin'), rec.get('ops')]])
        elif step == 'gpu-tests':
            body = _junit_section(rec, only_problems=False)
        elif step == 'tests':
            body = _junit_section(rec, only_problems=True)
            if rec.get('deselected'):
                body += '\nDeselected: ' + '; '.join(
                    f'`{k}` ({v})' for k, v in rec['deselected'].items()) + '\n'
        elif step == 'bench-lsts' and rec.get('table'):
            body = rec['table']
        elif step == 'bench-vid':
            body = '\n'.join(f'### {p}\n\n{t}' for p, t in rec.get('tables', {}).items())
        elif step == 'train':
            body = _train_section(rec)
        if rec.get('command'):
            body += f"\nCommand: `{rec['command']}`\n"
        if body:
            lines += [f'## {SECTIONS[step]}', '', body.rstrip(), '']
    return '\n'.join(lines).rstrip() + '\n'


def read_records(state: str) -> dict[str, dict]:
    records = {}
    for step in STEPS:
        rec = load_json(osp.join(state, 'steps', f'{step}.json'))
        if rec:
            records[step] = rec
    return records


def log_tails(state: str, lines: int = 120) -> str:
    """The end of every step's log: what to read first when a step failed."""
    parts = []
    for step in STEPS:
        path = osp.join(state, 'logs', f'{step}.log')
        if osp.exists(path):
            with open(path, errors='replace') as f:
                tail = f.readlines()[-lines:]
            parts.append(f'===== {step} (last {len(tail)} lines of {path})\n' + ''.join(tail))
    return '\n'.join(parts)


def write_report(state: str, out: str, command: str = '') -> str:
    """Write ``<out>/gpu_check.md`` (the report) and ``<out>/gpu_check_logs.txt``."""
    os.makedirs(out, exist_ok=True)
    path = osp.join(out, 'gpu_check.md')
    with open(path, 'w') as f:
        f.write(assemble_report(read_records(state), command))
    with open(osp.join(out, 'gpu_check_logs.txt'), 'w') as f:
        f.write(log_tails(state))
    print(f'[gpu_check] report: {path}')
    return path


# Command line ---------------------------------------------------------------------------------
def default_python() -> str:
    """The interpreter to check: $MMLSTS_GPU_PYTHON, the repo's .venv, else python3."""
    if os.environ.get('MMLSTS_GPU_PYTHON'):
        return os.environ['MMLSTS_GPU_PYTHON']
    venv = osp.join(REPO, '.venv', 'bin', 'python')
    return venv if osp.exists(venv) else 'python3'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog='tools/gpu_check.sh',
                                     description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    wheels = sub.add_parser('collect-wheels', help='download the wheels to carry (online)')
    wheels.add_argument('--dest', default=osp.join(REPO, '.whl'))
    wheels.add_argument('--python', default=default_python(),
                        help='interpreter for pip (with torch: the sdist needs it)')
    wheels.add_argument('--extra', nargs='+', default=[], metavar='NAME==VER',
                        help='more wheels to carry, e.g. opencv-python-headless==4.11.0.86')
    wheels.add_argument('--max-mib', type=float, default=MAX_WHEELS_MIB)
    wheels.add_argument('--dry-run', action='store_true', help='print the pip commands only')
    out_default = os.environ.get('OUT') or osp.join(REPO, 'work_dirs', 'gpu_check')
    for name in ('run', 'report'):
        cmd = sub.add_parser(name, help='run the check (GPU machine)' if name == 'run'
                             else 'write the report from the recorded steps')
        cmd.add_argument('--state', default=osp.join(REPO, 'build', 'gpu_check'),
                         help='where steps keep results, logs and builds')
        cmd.add_argument('--out', default=out_default, help='report folder (default $OUT)')
    run = sub.choices['run']
    run.add_argument('--steps', default='all', help=f'comma list of: {",".join(STEPS)}')
    run.add_argument('--skip', default='', help='comma list of steps to leave out')
    run.add_argument('--budget', type=float, default=560,
                     help='seconds for this call; steps that would not fit are left for later')
    run.add_argument('--python', default=default_python())
    run.add_argument('--wheels', default=osp.join(REPO, '.whl'))
    run.add_argument('--extra', nargs='+', default=[], metavar='NAME==VER',
                     help='as given to collect-wheels')
    run.add_argument('--arch', default=os.environ.get('TORCH_CUDA_ARCH_LIST', ''),
                     help="TORCH_CUDA_ARCH_LIST for mmcv-full (default: the GPU's)")
    run.add_argument('--jobs', type=int, default=0, help='MAX_JOBS of the build (default nproc)')
    run.add_argument('--export-wheel', action='store_true',
                     help='copy the built mmcv-full wheel to --out (if at most 16 MiB)')
    run.add_argument('--size', type=int, nargs=2, default=[600, 1000], metavar=('H', 'W'))
    run.add_argument('--vid-configs', nargs='+', default=list(VID_CONFIGS))
    run.add_argument('--vid-frames', type=int, default=None,
                     help='timed frames per video benchmark (default: its own)')
    run.add_argument('--train-epochs', type=int, default=12)
    run.add_argument('--workers', type=int, default=4, help='data loader workers for training')
    run.add_argument('--fresh', action='store_true', help="forget earlier calls' step results")
    run.add_argument('--resume', action='store_true',
                     help='leave out the steps that an earlier call finished (status ok)')
    args = parser.parse_args(argv)
    args.argv = argv[1:]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == 'collect-wheels':
        return collect_wheels(args)
    if args.command == 'run':
        return run_steps(args)
    write_report(osp.abspath(args.state), osp.abspath(args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
