#!/usr/bin/env bash
# Test on several GPUs through torch.distributed (MMTracking's launcher):
#   tools/dist_test.sh configs/vid/lsts_r101.py 8 --checkpoint CKPT --eval bbox
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" \
python -m torch.distributed.run --nnodes=$NNODES --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR --nproc_per_node=$GPUS --master_port=$PORT \
    "$HERE/test.py" $CONFIG --launcher pytorch ${@:3}
