#!/usr/bin/env bash
# GPU readiness check (docs/gpu.md): carry wheels to a GPU machine that reaches no package
# registry, compile mmcv-full's CUDA ops there, run the GPU tests, the benchmarks and a short
# training, and write one markdown report to $OUT (default work_dirs/gpu_check).
#
#   bash tools/gpu_check.sh collect-wheels [--extra NAME==VER ...]  here, online: fills .whl/
#   bash tools/gpu_check.sh run [--steps install,build] [--budget 560] [...]   on the GPU machine
#   bash tools/gpu_check.sh report                                  the report from the records
#   bash tools/gpu_check.sh <subcommand> --help                      every option
#
# The logic is tools/gpu_check.py (standard library only). The interpreter: $MMLSTS_GPU_PYTHON,
# else the repo's .venv (a GPU box of your own), else python3 (the lent machine's torch).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

case "${1:-}" in
  collect-wheels|run|report) ;;
  ""|-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "gpu_check: unknown subcommand '$1' (collect-wheels, run or report; see --help)" >&2
     exit 2 ;;
esac

py="${MMLSTS_GPU_PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x "$repo/.venv/bin/python" ]; then py="$repo/.venv/bin/python"; else py=python3; fi
fi

if [ "$1" = collect-wheels ] && git rev-parse --git-dir >/dev/null 2>&1 \
    && ! git check-ignore -q .whl/x.whl; then
  # The wheels travel as an ignored folder named in the device tool's `carry`, never committed.
  mkdir -p "$(git rev-parse --git-dir)/info"
  echo "/.whl/" >> "$(git rev-parse --git-dir)/info/exclude"
fi

export PYTHONUNBUFFERED=1
exec "$py" "$repo/tools/gpu_check.py" "$@"
