#!/usr/bin/env bash
# Build an mmcv wheel with its compiled ops against the torch of a given Python: mmcv-full 1.7.2
# (MMTracking 0.x) or mmcv 2.0.0rc4 (MMTracking 1.x), from their sdists.
# Called by tools/setup_env.sh; usable alone:
#   tools/build_mmcv.sh <python> <wheel output dir> <cpu|cuda-...> [package version]
# (default package and version: mmcv-full 1.7.2)
#
# The patches applied to the unpacked sdist (each one documented in docs/install.md):
#   1. setup.py hard-codes '-std=c++17' (mmcv-full 1.7) or '-std=c++14' (mmcv 2.0.0rc4) for the
#      host compiler and nvcc; torch >= 2.10 headers require C++20 ('#error C++20 or later
#      compatible compiler is required to use ATen').
# CUDA builds also need CUDA_HOME pointing at the real toolkit (a wrapper nvcc on PATH makes
# torch guess wrong) and the cuBLAS/cuSPARSE headers, which the torch wheel ships.
set -euo pipefail

py="$1"; out="$2"; flavour="$3"
package="${4:-mmcv-full}"; version="${5:-1.7.2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$py" -m pip download -q --no-deps --no-binary :all: --no-build-isolation \
  "$package==$version" -d "$work"
tar -xzf "$work/$package-$version.tar.gz" -C "$work"
src="$work/$package-$version"

grep -q -- "-std=c++1[47]" "$src/setup.py" || { echo "build_mmcv: setup.py has no -std=c++14/17 to patch" >&2; exit 1; }
sed -i 's/-std=c++1[47]/-std=c++20/g' "$src/setup.py"

export MMCV_WITH_OPS=1
export MAX_JOBS="${MAX_JOBS:-$(nproc)}"
if [ "$flavour" = cpu ]; then
  export FORCE_CUDA=0
  export CUDA_VISIBLE_DEVICES=""   # a visible GPU would make setup.py build CUDA kernels anyway
else
  export FORCE_CUDA=1
  if [ -z "${CUDA_HOME:-}" ]; then
    for d in /usr/local/cuda /usr/local/cuda-13.0 /usr/local/cuda-12*; do
      [ -x "$d/bin/nvcc" ] && { export CUDA_HOME="$d"; break; }
    done
  fi
  [ -n "${CUDA_HOME:-}" ] || { echo "build_mmcv: no CUDA toolkit found; set CUDA_HOME" >&2; exit 1; }
  nv_inc=$("$py" -c "import os, nvidia; p = os.path.join(list(nvidia.__path__)[0], 'cu13', 'include'); print(p if os.path.isdir(p) else '')" 2>/dev/null || true)
  if [ -n "$nv_inc" ] && [ ! -e "$CUDA_HOME/include/cusparse.h" ]; then
    export CUDA_INC_PATH="$nv_inc"
    export CPATH="$nv_inc${CPATH:+:$CPATH}"
  fi
  echo "build_mmcv: CUDA_HOME=$CUDA_HOME TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-}"
fi

mkdir -p "$out"
start=$(date +%s)
"$py" -m pip wheel --no-deps --no-build-isolation -w "$work/wheel" "$src"
mv "$work"/wheel/*.whl "$out"/
echo "build_mmcv: built $(ls "$out") in $(( $(date +%s) - start )) s"
