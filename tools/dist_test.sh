#!/usr/bin/env bash
# Test on several GPUs through torch.distributed (MMTracking's launcher):
#   tools/dist_test.sh configs/vid/lsts_r101.py 8 --checkpoint CKPT --eval bbox
TOOL=test.py exec bash "$(dirname "$0")/_dist_launch.sh" "$@"
