#!/usr/bin/env bash
# What tools/dist_train.sh and tools/dist_test.sh share: run TOOL (train.py or test.py, from the
# environment) on GPUS processes through torch.distributed with MMTracking's --launcher pytorch.
#   TOOL=train.py tools/_dist_launch.sh CONFIG GPUS [tool options]
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
    "$HERE/$TOOL" $CONFIG --launcher pytorch ${@:3}
