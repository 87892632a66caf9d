#!/usr/bin/env bash
# GPU check: on a machine with a CUDA GPU, give mmcv-full its CUDA ops if they are missing, run
# the GPU tests and both speed benchmarks, and write one markdown report (docs/gpu.md).
#
#   bash tools/gpu_check.sh [--python PY] [--wheels DIR] [--out DIR] [--time-limit S]
#                           [--steps build,env,gpu-tests,bench-lsts,bench-vid,bench-vid-fp16]
#                           [--dry-run]
#
#   --python PY     interpreter to check (default: the active virtualenv's python, else
#                   .venv/bin/python of tools/setup_env.sh if any, else the conda env's)
#   --wheels DIR    offline: install the wheels carried in DIR with pip --no-index
#                   --find-links DIR, and compile mmcv-full from the sdist in DIR
#   --out DIR       report folder (default: $OUT, else work_dirs/gpu_check); the report is
#                   DIR/gpu_check.md, each step's output DIR/logs/<step>.log
#   --time-limit S  seconds for the whole check: a step still running then is stopped and
#                   recorded as failed, later steps as not run (default: no limit)
#   --dry-run       print each step's commands, run nothing
#
# build: installs the carried wheels; then, unless mmcv-full 1.7.2 has CUDA ops, runs
# MMLSTS_CUDA=1 tools/setup_env.sh (the .venv) or tools/build_mmcv.sh (an interpreter with its
# own torch), with MAX_JOBS (default: all cores) and TORCH_CUDA_ARCH_LIST (default: the GPU's).
# A failed step is recorded in the report with the end of its log, and the next step runs;
# the exit status is 1 if a step failed.
set -uo pipefail
set -a  # every function and setting below reaches the steps (each runs in a child bash)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command_line="bash tools/gpu_check.sh $*"
all_steps=(build env gpu-tests bench-lsts bench-vid bench-vid-fp16)
py="" wheels="" out="${OUT:-$repo/work_dirs/gpu_check}" limit=0 dry=0
steps=$(IFS=,; echo "${all_steps[*]}")
venv_py="${MMLSTS_VENV:-$repo/.venv}/bin/python"

usage_error() { echo "gpu_check: $1 (see --help)" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n 's/^# \{0,1\}//; 2,23p' "$0"; exit 0 ;;
    --dry-run) dry=1; shift; continue ;;
    --python|--wheels|--out|--time-limit|--steps) [ $# -ge 2 ] || usage_error "$1 needs a value" ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  case "$1" in
    --python) py=$2 ;;
    --wheels) wheels=$(realpath -m "$2") ;;
    --out) out=$2 ;;
    --time-limit) limit=$2; [[ $limit =~ ^[0-9]+$ ]] || usage_error "--time-limit takes seconds" ;;
    --steps) steps=$2 ;;
  esac
  shift 2
done
for s in ${steps//,/ }; do
  [[ " ${all_steps[*]} " == *" $s "* ]] || usage_error "unknown step '$s' (${all_steps[*]})"
done
[ -z "$wheels" ] || [ -d "$wheels" ] || usage_error "--wheels $wheels is not a folder"
if [ -z "$py" ]; then
  py=$venv_py
  [ ! -x "$venv_py" ] && [ -n "${CONDA_PREFIX:-}" ] && py="$CONDA_PREFIX/bin/python"
  [ -n "${VIRTUAL_ENV:-}" ] && py="$VIRTUAL_ENV/bin/python"
fi
[[ $py == */* ]] && py=$(realpath -ms "$py")  # -s: a venv's python is a symlink to keep
out=$(realpath -m "$out")
cd "$repo"
mkdir -p "$out/logs" "$out/sections"
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg PYTHONUNBUFFERED=1

x() {  # run a command, or print it under --dry-run
  ((dry)) || { "$@"; return; }
  local a line="+"
  for a in "$@"; do [[ $a == *$'\n'* ]] && a='<python code>'; line+=" $a"; done
  echo "$line" >&2
}
section() { ((dry)) || cat "$1" >> "$sec"; }  # a file into this step's part of the report

MMCV_CUDA='import sys, mmcv
from mmcv.ops import get_compiling_cuda_version
sys.exit(mmcv.__version__ != "1.7.2" or get_compiling_cuda_version() == "not available")'
step_build() {
  local jobs pip_env=() arch tv flavour dir d start=$SECONDS
  jobs=${MAX_JOBS:-$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)}  # all cores, not OMP's
  if [ -n "$wheels" ]; then
    if compgen -G "$wheels/*.whl" >/dev/null; then
      x "$py" -m pip install --no-index --find-links "$wheels" --no-deps "$wheels"/*.whl || return
    fi
    pip_env=(PIP_NO_INDEX=1 "PIP_FIND_LINKS=$wheels")  # build_mmcv.sh then finds the sdist there
  fi
  if ((!dry)) && "$py" -c "$MMCV_CUDA" 2>/dev/null; then
    echo "mmcv-full 1.7.2 has its CUDA ops: nothing to build." > "$sec"; return 0
  fi
  if [ -z "$wheels" ] && [ "$py" = "$(realpath -ms "$venv_py")" ]; then
    x env MMLSTS_CUDA=1 MAX_JOBS="$jobs" bash tools/setup_env.sh || return
  else
    arch=${TORCH_CUDA_ARCH_LIST:-} tv='<version>'
    if ((dry)); then arch=${arch:-ARCH}; else
      tv=$("$py" -c 'import torch; print(torch.__version__)') || return
      [ -n "$arch" ] || arch=$("$py" -c \
        'import torch; print("%d.%d" % torch.cuda.get_device_capability())') || return
    fi
    flavour="cuda-${arch//[^0-9a-zA-Z]/_}"
    dir="${MMLSTS_WHEEL_CACHE:-$HOME/.cache/mmlsts/wheels}/mmcv_full-1.7.2-torch$tv-$flavour"
    for d in /usr/local/cuda /usr/local/cuda-*; do  # setup.py needs it when pip reads the sdist
      [ -z "${CUDA_HOME:-}" ] && [ -x "$d/bin/nvcc" ] && export CUDA_HOME=$d
    done
    if ((dry)) || ! ls "$dir"/mmcv_full-*.whl >/dev/null 2>&1; then
      x env "${pip_env[@]}" MAX_JOBS="$jobs" TORCH_CUDA_ARCH_LIST="$arch" \
        bash tools/build_mmcv.sh "$py" "$dir" "$flavour" || return
    fi
    x "$py" -m pip install --no-index --no-deps --force-reinstall "$dir"/mmcv_full-*.whl || return
  fi
  x "$py" -c "$MMCV_CUDA" || { echo "mmcv-full still has no CUDA ops" >&2; return 1; }
  ((dry)) || echo "mmcv-full 1.7.2 with CUDA ops, MAX_JOBS=$jobs: $((SECONDS - start)) s." > "$sec"
}

ENV_LINE='import platform, torch
line = f"Python {platform.python_version()}, torch {torch.__version__}"
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    line += (f" (CUDA {torch.version.cuda}), {torch.cuda.device_count()} x {p.name}, "
             f"sm_{p.major}{p.minor}, {p.total_memory / 2**30:.0f} GiB")
else:
    line += ": no CUDA device visible to torch"
try:
    import mmcv
    from mmcv.ops import get_compiling_cuda_version
    line += f"; mmcv-full {mmcv.__version__}, ops built with CUDA {get_compiling_cuda_version()}"
except Exception as err:
    line += f"; mmcv-full ops do not load ({type(err).__name__}: {err})"
print(line + ".")
raise SystemExit(not torch.cuda.is_available())'
step_env() {
  local rc=0
  x "$py" -c "$ENV_LINE" > "$out/env.txt" || rc=$?
  ((dry)) || echo "Environment: $(cat "$out/env.txt")" >> "$sec"
  x nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
    > "$out/nvidia-smi.txt" || echo "not found or failed" >> "$out/nvidia-smi.txt"
  ((dry)) || sed 's/^/- nvidia-smi: /' "$out/nvidia-smi.txt" >> "$sec"
  return $rc
}

step_gpu_tests() {
  x "$py" -m pytest -m gpu -ra tests; local rc=$?
  ((dry)) && return 0
  { echo '```text'; sed -n '/short test summary info/,$p' "$log" | grep -v 'short test summary'
    grep -q 'short test summary info' "$log" || tail -n 1 "$log"; echo '```'; } > "$sec"
  return $rc
}

step_bench_lsts() {
  x "$py" tools/analysis/benchmark_lsts.py --device cuda --out "$out/benchmark_lsts.md" &&
    section "$out/benchmark_lsts.md"
}

bench_vid() {  # bench_vid NAME [--fp16]
  # the single frame: LSTS R-101's own Faster R-CNN R-101-DC5 (config#detector)
  local configs=(configs/vid/lsts_r101.py configs/vid/dff_r101.py 'configs/vid/lsts_r101.py#detector')
  x "$py" tools/analysis/benchmark_vid.py "${configs[@]}" --device cuda "${@:2}" \
    --out-dir "$out/benchmark_vid_$1" && section "$out/benchmark_vid_$1/benchmark_vid.md"
}
step_bench_vid() { bench_vid fp32; }
step_bench_vid_fp16() { bench_vid fp16 --fp16; }

set +a
declare -A status
for s in "${all_steps[@]}"; do status[$s]="not run (not in --steps)"; done
for s in ${steps//,/ }; do status[$s]="not run"; done
write_report() {
  local s
  { echo "# mmlsts GPU check"; echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'): \`$command_line\`"; echo
    for s in "${all_steps[@]}"; do
      echo "## $s: ${status[$s]}"; echo
      if [ -s "$out/sections/$s.md" ]; then cat "$out/sections/$s.md"; echo; fi
      if [[ ${status[$s]} == FAILED* && $s != gpu-tests || ${status[$s]} == dry* ]]; then
        echo '```text'; tail -n 30 "$out/logs/$s.log"; echo '```'; echo
      fi
    done
  } > "$out/gpu_check.md"
}

failed=0 deadline=$((SECONDS + limit))
for s in "${all_steps[@]}"; do
  [[ ",$steps," == *",$s,"* ]] || continue
  log="$out/logs/$s.log" sec="$out/sections/$s.md"
  rm -f "$sec"
  if ((dry)); then
    log=$log sec=$sec bash -c "step_${s//-/_}" > "$log" 2>&1
    status[$s]="dry run (not run)"; echo "== $s"; cat "$log"; continue
  fi
  left=0
  if ((limit)); then
    left=$((deadline - SECONDS))
    ((left > 0)) || { status[$s]="not run (time limit reached)"; failed=1; continue; }
  fi
  echo "[gpu_check] $s ..."
  status[$s]="not finished (the check stopped while it ran)"; write_report
  start=$SECONDS rc=0
  log=$log sec=$sec timeout "$left" bash -c "step_${s//-/_}" > "$log" 2>&1 || rc=$?
  took=$((SECONDS - start))
  if ((rc == 0)); then status[$s]="ok ($took s)"
  elif ((rc == 124)); then status[$s]="FAILED (time limit: stopped after $took s)"; failed=1
  else status[$s]="FAILED (exit $rc after $took s)"; failed=1; fi
  echo "[gpu_check] $s: ${status[$s]}"
  write_report
done
write_report
echo "[gpu_check] report: $out/gpu_check.md"
exit $failed
