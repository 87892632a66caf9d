#!/usr/bin/env bash
# The README's test command: set up the environment (tools/setup_env.sh, idempotent), then run
# ruff and the whole test suite, every tier (plain `pytest` runs only the fast one). Extra
# arguments go to pytest (e.g. -k lsts, -x).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash tools/setup_env.sh
py="${MMLSTS_VENV:-$repo/.venv}/bin/python"
echo "[run_tests] ruff"
"$py" -m ruff check mmlsts tools tests configs projects
echo "[run_tests] pytest"
# pytest exits 5 when it collects no test: that is a failure here, like any non-zero code.
exec "$py" -m pytest -ra -m "" "$@"
