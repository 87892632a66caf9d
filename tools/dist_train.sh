#!/usr/bin/env bash
# Train on several GPUs through torch.distributed (MMTracking's launcher):
#   tools/dist_train.sh configs/vid/lsts_r101.py 8 [train.py options]
TOOL=train.py exec bash "$(dirname "$0")/_dist_launch.sh" "$1" "$2" --seed 0 "${@:3}"
