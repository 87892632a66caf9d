#!/usr/bin/env bash
# The README's test command: for each MMTracking generation, set up its environment
# (tools/setup_env.sh, idempotent) and run its suite, every tier (plain `pytest` runs only the
# fast one); ruff once. MMTracking 0.x: .venv, tests/ and the lab's tests; MMTracking 1.x:
# .venv-mmtrack1, tests/mmtrack1. Extra arguments go to both pytest runs (e.g. -k lsts, -x).
#   MMLSTS_STACKS="mmtrack0 mmtrack1"  the generations to test (default: both)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
stacks="${MMLSTS_STACKS:-mmtrack0 mmtrack1}"
venv0="${MMLSTS_VENV:-$repo/.venv}"
venv1="${MMLSTS_VENV_MMTRACK1:-$repo/.venv-mmtrack1}"
failed=()
for stack in $stacks; do
  case "$stack" in
    mmtrack0) MMLSTS_STACK=mmtrack0 MMLSTS_VENV="$venv0" bash tools/setup_env.sh ;;
    mmtrack1) MMLSTS_STACK=mmtrack1 MMLSTS_VENV="$venv1" bash tools/setup_env.sh ;;
    *) echo "[run_tests] unknown stack '$stack' in MMLSTS_STACKS (mmtrack0, mmtrack1)" >&2; exit 2 ;;
  esac
done
for stack in $stacks; do
  if [ "$stack" = mmtrack0 ]; then
    echo "[run_tests] ruff"
    "$venv0/bin/python" -m ruff check mmlsts tools tests configs projects || failed+=(ruff)
    echo "[run_tests] pytest, MMTracking 0.x ($venv0)"
    # pytest exits 5 when it collects no test: that is a failure here, like any non-zero code.
    "$venv0/bin/python" -m pytest -ra -m "" "$@" || failed+=(mmtrack0)
  else
    echo "[run_tests] pytest, MMTracking 1.x ($venv1)"
    "$venv1/bin/python" -m pytest -ra -m "" tests/mmtrack1 "$@" || failed+=(mmtrack1)
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "[run_tests] failed: ${failed[*]}" >&2
  exit 1
fi
echo "[run_tests] passed: $stacks"
