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
TOOL=train.py exec bash "$(dirname "$0")/_slurm_launch.sh" "$1" "$2" "$5" "$3" \
  --work-dir="$4" --launcher=slurm "${@:6}"
