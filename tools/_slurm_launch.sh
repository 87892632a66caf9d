#!/usr/bin/env bash
# What tools/slurm_train.sh and tools/slurm_test.sh share: one task per GPU under srun running
# our TOOL (train.py or test.py, from the environment) with MMTracking's --launcher slurm.
#   TOOL=test.py tools/_slurm_launch.sh PARTITION JOB_NAME GPUS CONFIG [tool options]
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
GPUS=$3
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
    python -u "$HERE/$TOOL" "${@:4}"
