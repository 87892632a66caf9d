#!/usr/bin/env bash
# Train on a Slurm cluster: one task per GPU under srun, MMTracking's --launcher slurm.
#   [GPUS_PER_NODE=8] [CPUS_PER_TASK=2] [SRUN_ARGS="..."] \
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR GPUS [train.py options]
# The interface of MMTracking's own tools/slurm_train.sh, calling our tools/train.py.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: $0 PARTITION JOB_NAME CONFIG WORK_DIR GPUS [train.py options]" >&2
  exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=$5
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-2}
SRUN_ARGS=${SRUN_ARGS:-""}
HERE="$(cd "$(dirname "$0")" && pwd)"

set -x
# SRUN_ARGS is split into words on purpose (several srun options in one variable).
# shellcheck disable=SC2086
PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    python -u "$HERE/train.py" "$CONFIG" --work-dir="$WORK_DIR" --launcher=slurm "${@:6}"
