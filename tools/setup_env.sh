#!/usr/bin/env bash
# Build (or re-use) the mmlsts environment: a venv at .venv with the exact stack of
# docs/install.md (torch 2.14.1, mmcv-full 1.7.2 with compiled ops, mmdet 2.28.2,
# mmtrack 0.14.0) and mmlsts itself in editable mode. Idempotent: a second run only checks.
#
# Environment switches:
#   MMLSTS_VENV=path         where the venv lives (default: <repo>/.venv)
#   MMLSTS_PYTHON=python3.11 interpreter used to create the venv
#   MMLSTS_CUDA=auto|0|1     build mmcv-full's CUDA kernels (auto: when torch sees a GPU)
#   TORCH_CUDA_ARCH_LIST     CUDA architectures to compile (default: the local GPU's)
#   MMLSTS_WHEEL_CACHE=dir   where the built mmcv-full wheel is kept
#                            (default: ~/.cache/mmlsts/wheels); a second venv takes seconds
#   MAX_JOBS                 parallel compile jobs for mmcv-full (default: nproc)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MMLSTS_VENV:-$repo/.venv}"
py_bootstrap="${MMLSTS_PYTHON:-python3.11}"
cache_root="${MMLSTS_WHEEL_CACHE:-$HOME/.cache/mmlsts/wheels}"
want_cuda="${MMLSTS_CUDA:-auto}"

TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=1.7.2
MMDET_VERSION=2.28.2
MMTRACK_VERSION=0.14.0

step() { printf '\n[setup_env] %s\n' "$*"; }
die() { printf '[setup_env] error: %s\n' "$*" >&2; exit 1; }

command -v "$py_bootstrap" >/dev/null || die "$py_bootstrap not found; set MMLSTS_PYTHON to a Python 3.11 interpreter"

if [ ! -x "$venv/bin/python" ]; then
  step "creating venv at $venv"
  "$py_bootstrap" -m venv "$venv"
fi
py="$venv/bin/python"
# pip, minus pip's warnings about configured local index folders (file://) that do not exist.
pip() {
  "$py" -m pip --disable-pip-version-check "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2)
}

# 1+2. torch and the pinned build tools (numpy<2: the mm* 1.x/2.x line is built against it;
# setuptools<81 still ships pkg_resources, which mmcv-full's setup.py imports).
if ! "$py" -c "import torch, torchvision, numpy, sys; \
sys.exit(not (torch.__version__.startswith('$TORCH_VERSION') and \
torchvision.__version__.startswith('$TORCHVISION_VERSION') and numpy.__version__ < '2'))" 2>/dev/null; then
  step "installing torch $TORCH_VERSION, torchvision $TORCHVISION_VERSION and build tools"
  pip install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" \
    "numpy>=1.24,<2" "setuptools==80.9.0" wheel ninja psutil
fi

# 3. mmcv-full with its compiled ops, from a cached wheel when one was built before.
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
wheel_dir="$cache_root/mmcv_full-$MMCV_VERSION-torch$TORCH_VERSION-$flavour"

mmcv_ok() {
  "$py" - "$1" <<'EOF' 2>/dev/null
import sys
import mmcv
from mmcv.ops import get_compiler_version, get_compiling_cuda_version, nms  # noqa: F401
if mmcv.__version__ != '1.7.2':
    sys.exit(1)
if sys.argv[1] != 'cpu' and get_compiling_cuda_version() == 'not available':
    sys.exit(1)
EOF
}

if mmcv_ok "$flavour"; then
  step "mmcv-full $MMCV_VERSION with ops ($flavour) already installed"
else
  if ! ls "$wheel_dir"/mmcv_full-*.whl >/dev/null 2>&1; then
    step "building mmcv-full $MMCV_VERSION ($flavour) from source: several minutes, done once per machine"
    "$repo/tools/build_mmcv.sh" "$py" "$wheel_dir" "$flavour"
  fi
  step "installing mmcv-full from $wheel_dir"
  pip install -q --no-deps --force-reinstall "$wheel_dir"/mmcv_full-*.whl
  pip install -q addict yapf==0.40.1 packaging pyyaml "opencv-python-headless==4.11.0.86" "numpy>=1.24,<2"
  mmcv_ok "$flavour" || die "mmcv-full from $wheel_dir does not import with its ops; delete that folder and re-run"
fi

# 4+5. mmdet, mmtrack (its own pins have no Python 3.11 wheels: installed without deps, its
# needs with looser pins), mmlsts in editable mode with the test extras.
if ! "$py" -c "import mmdet, mmtrack, mmlsts, pytest; \
assert mmdet.__version__ == '$MMDET_VERSION' and mmtrack.__version__ == '$MMTRACK_VERSION'" 2>/dev/null; then
  step "installing mmdet $MMDET_VERSION, mmtrack $MMTRACK_VERSION and mmlsts"
  pip install -q "mmdet==$MMDET_VERSION" "numpy>=1.24,<2" "opencv-python-headless==4.11.0.86"
  pip install -q --no-deps "mmtrack==$MMTRACK_VERSION"
  pip install -q -e "$repo[tests]" "numpy>=1.24,<2" "opencv-python-headless==4.11.0.86"
fi

step "environment ready: $venv ($("$py" -c 'import torch, mmcv, mmdet, mmtrack; print(f"torch {torch.__version__}, mmcv-full {mmcv.__version__}, mmdet {mmdet.__version__}, mmtrack {mmtrack.__version__}")'))"
