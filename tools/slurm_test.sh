#!/usr/bin/env bash
# Test on a Slurm cluster: one task per GPU under srun, MMTracking's --launcher slurm.
#   [GPUS_PER_NODE=8] [CPUS_PER_TASK=2] [SRUN_ARGS="..."] \
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG GPUS --checkpoint CKPT --eval bbox
# The interface of MMTracking's own tools/slurm_test.sh, calling our tools/test.py.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 PARTITION JOB_NAME CONFIG GPUS [test.py options]" >&2
  exit 2
fi
TOOL=test.py exec bash "$(dirname "$0")/_slurm_launch.sh" "$1" "$2" "$4" "$3" \
  --launcher=slurm "${@:5}"
