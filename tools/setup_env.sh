#!/usr/bin/env bash
# Build (or re-use) a tested mmlsts environment from nothing, for one MMTracking generation:
#   MMLSTS_STACK=mmtrack0 (default): a venv at .venv with requirements/constraints.txt (torch,
#     mmcv-full 1.7.2 with compiled ops, mmdet 2.28.2, mmtrack 0.14.0, ...);
#   MMLSTS_STACK=mmtrack1: a venv at .venv-mmtrack1 with requirements/constraints-mmtrack1.txt
#     (torch, mmcv 2.0.0rc4 with compiled ops, mmengine, mmdet 3.0.0rc4, mmtrack 1.0.0rc1, ...);
# and mmlsts itself in editable mode with the `tests` extra and the generation's extra. Every pip
# step runs with `-c` the stack's constraints file, the one place where its versions are written.
# Idempotent: a second run only checks. Into an environment of your own (your torch), install
# the other way: docs/install.md, "Into an existing environment".
#
# Environment switches:
#   MMLSTS_STACK=mmtrack0|mmtrack1  which generation (default: mmtrack0)
#   MMLSTS_VENV=path         where the venv lives (default: <repo>/.venv, <repo>/.venv-mmtrack1)
#   MMLSTS_PYTHON=python3.11 interpreter used to create the venv
#   MMLSTS_CUDA=auto|0|1     build mmcv-full's CUDA kernels (auto: when torch sees a GPU)
#   TORCH_CUDA_ARCH_LIST     CUDA architectures to compile (default: the local GPU's)
#   MMLSTS_WHEEL_CACHE=dir   where the built mmcv wheels are kept
#                            (default: ~/.cache/mmlsts/wheels); a second venv takes seconds
#   MAX_JOBS                 parallel compile jobs for mmcv (default: nproc)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${MMLSTS_STACK:-mmtrack0}"
# Per generation: its constraints, venv, mmcv distribution, the needs of that mmcv that pip
# gets from the index, the packages installed after it (the last ones without their own
# metadata's needs: mmtrack's pins have no wheels for Python 3.11, and trackeval, which
# mmtrack 1.x imports but does not declare, pins old numpy) and mmlsts' extras.
case "$stack" in
  mmtrack0)
    constraints="$repo/requirements/constraints.txt"; venv="${MMLSTS_VENV:-$repo/.venv}"
    mmcv_dist=mmcv-full
    mmcv_needs=(addict yapf packaging pyyaml opencv-python-headless numpy)
    stack_pkgs=(mmdet opencv-python-headless); stack_nodeps=(mmtrack); extras="tests,mmtrack0" ;;
  mmtrack1)
    constraints="$repo/requirements/constraints-mmtrack1.txt"
    venv="${MMLSTS_VENV:-$repo/.venv-mmtrack1}"
    mmcv_dist=mmcv
    mmcv_needs=(addict yapf packaging pyyaml opencv-python-headless opencv-python numpy mmengine)
    stack_pkgs=(mmdet mmcls opencv-python-headless); stack_nodeps=(mmtrack trackeval)
    extras="tests,mmtrack1" ;;
  *) printf '[setup_env] error: MMLSTS_STACK must be mmtrack0 or mmtrack1, got %s\n' "$stack" >&2
     exit 1 ;;
esac
py_bootstrap="${MMLSTS_PYTHON:-python3.11}"
cache_root="${MMLSTS_WHEEL_CACHE:-$HOME/.cache/mmlsts/wheels}"
want_cuda="${MMLSTS_CUDA:-auto}"

step() { printf '\n[setup_env] %s\n' "$*"; }
die() { printf '[setup_env] error: %s\n' "$*" >&2; exit 1; }
# The pinned version of a package in the constraints file.
pin() {
  local v
  v=$(sed -n "s/^$1==\([^ ;#]*\).*/\1/p" "$constraints")
  [ -n "$v" ] || die "$constraints pins no $1 (a line '$1==VERSION')"
  printf '%s' "$v"
}

[ -f "$constraints" ] || die "$constraints not found"
MMCV_VERSION=$(pin "$mmcv_dist")
TORCH_VERSION=$(pin torch)

# `command -v` is not enough: a pyenv shim exists for every version pyenv knows but runs only
# the ones selected (PYENV_VERSION / .python-version).
"$py_bootstrap" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null \
  || die "$py_bootstrap does not run or is older than 3.9; set MMLSTS_PYTHON to a Python >= 3.9 interpreter (3.11 is what CI tests; with pyenv, e.g. PYENV_VERSION=3.12.1 MMLSTS_PYTHON=python3.12)"

if [ ! -x "$venv/bin/python" ]; then
  step "creating venv at $venv with $("$py_bootstrap" --version 2>&1)"
  "$py_bootstrap" -m venv "$venv"
fi
py="$venv/bin/python"
# pip with the constraints, minus the warnings about configured local index folders that do
# not exist.
pip() {
  local cmd="$1"; shift
  "$py" -m pip --disable-pip-version-check "$cmd" -c "$constraints" "$@" \
    2> >(grep -v "^WARNING: Location 'file:" >&2)
}
# Exit 0 when every named package (all pins when none is named) is installed at its pin;
# otherwise print the ones that are not.
pins_met() {
  "$py" - "$constraints" "$@" <<'PYEOF'
import sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
lines = [ln.split('#')[0].strip() for ln in open(sys.argv[1])]
reqs = {Requirement(ln).name.lower(): Requirement(ln) for ln in lines if ln}
names = [n.lower() for n in sys.argv[2:]] or list(reqs)
bad = []
for name in names:
    try:
        found = metadata.version(name)
    except metadata.PackageNotFoundError:
        found = None
    if found is None or not reqs[name].specifier.contains(found, prereleases=True):
        bad.append(f'{name} {found or "missing"} (wants {reqs[name].specifier})')
print('\n'.join(bad))
sys.exit(bool(bad))
PYEOF
}

# 1+2. torch and the build tools (numpy<2: the mm* 1.x/2.x line is built against it;
# setuptools<81 still ships pkg_resources, which mmcv-full's setup.py imports).
base=(torch torchvision numpy setuptools wheel ninja psutil)
if ! pins_met "${base[@]}" >/dev/null; then
  step "installing torch, torchvision and build tools ($(pins_met "${base[@]}" | tr '\n' ';'))"
  pip install -q "${base[@]}"
fi

# 3. mmcv with its compiled ops, from a cached wheel when one was built before.
if [ "$want_cuda" = auto ]; then
  want_cuda=$("$py" -c "import torch; print(int(torch.cuda.is_available()))")
fi
flavour=cpu
if [ "$want_cuda" = 1 ]; then
  if [ -z "${TORCH_CUDA_ARCH_LIST:-}" ]; then
    TORCH_CUDA_ARCH_LIST=$("$py" -c "import torch; c = torch.cuda.get_device_capability(); print(f'{c[0]}.{c[1]}')" 2>/dev/null) \
      || die "MMLSTS_CUDA=1 but no GPU is visible: set TORCH_CUDA_ARCH_LIST (e.g. '9.0' or '8.0;9.0')"
  fi
  export TORCH_CUDA_ARCH_LIST
  flavour="cuda-$(echo "$TORCH_CUDA_ARCH_LIST" | tr -c '0-9a-zA-Z\n' '_')"
fi
wheel_name="${mmcv_dist//-/_}"  # mmcv_full or mmcv, as the wheel files are named
wheel_dir="$cache_root/$wheel_name-$MMCV_VERSION-torch$TORCH_VERSION-$flavour"
# One folder per torch and flavour; the wheel's own name carries the Python (cp311, cp312, ...).
pytag=$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
cached_wheel() { ls "$wheel_dir/$wheel_name-$MMCV_VERSION-$pytag-$pytag"-*.whl 2>/dev/null | head -1; }

mmcv_ok() {
  "$py" - "$1" "$MMCV_VERSION" <<'PYEOF' 2>/dev/null
import sys
import mmcv
from mmcv.ops import get_compiler_version, get_compiling_cuda_version, nms  # noqa: F401
if mmcv.__version__ != sys.argv[2]:
    sys.exit(1)
if sys.argv[1] != 'cpu' and get_compiling_cuda_version() == 'not available':
    sys.exit(1)
PYEOF
}

if mmcv_ok "$flavour"; then
  step "$mmcv_dist $MMCV_VERSION with ops ($flavour) already installed"
else
  if [ -z "$(cached_wheel)" ]; then
    step "building $mmcv_dist $MMCV_VERSION ($flavour, $pytag) from source: several minutes, done once per machine"
    "$repo/tools/build_mmcv.sh" "$py" "$wheel_dir" "$flavour" "$mmcv_dist" "$MMCV_VERSION"
  fi
  step "installing $mmcv_dist from $(cached_wheel)"
  pip install -q --no-deps --force-reinstall "$(cached_wheel)"
  pip install -q "${mmcv_needs[@]}"
  mmcv_ok "$flavour" || die "$mmcv_dist from $wheel_dir does not import with its ops; delete that folder and re-run"
fi

# 4+5. mmdet (and mmcls), mmtrack without its own metadata's needs (setup.cfg's extra lists
# them), mmlsts in editable mode with its extras; then everything at its pin.
# (mmlsts/.mim: the links that setup.py makes for mim in an editable install.)
if ! pins_met >/dev/null || ! "$py" -c "import mmlsts" 2>/dev/null || [ ! -e "$repo/mmlsts/.mim/tools" ]; then
  step "installing ${stack_pkgs[*]} ${stack_nodeps[*]} and mmlsts ($(pins_met | tr '\n' ';'))"
  pip install -q "${stack_pkgs[@]}"
  pip install -q --no-deps "${stack_nodeps[@]}"
  pip install -q -e "$repo[$extras]"
fi
pins_met >/dev/null || die "not installed at the versions of $constraints: $(pins_met | tr '\n' ';')"

step "environment ready: $venv ($("$py" -c 'import sys, torch, mmcv, mmdet, mmtrack; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, mmtrack {mmtrack.__version__}")'))"
