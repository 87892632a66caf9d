#!/usr/bin/env bash
# The README's main job: set up the environment, generate the synthetic ILSVRC-layout video set,
# convert it with our converter, train the tiny LSTS config with tools/train.py and evaluate it
# with tools/test.py --eval bbox, then print bbox_mAP_50. About 5-10 minutes on 2 CPU cores.
#
#   bash tools/quickstart.sh [--seed N] [--epochs N] [--work-dir DIR]
#
# Nothing is downloaded at run time; data/ and work_dirs/ are git-ignored. An existing synthetic
# set with the same seed is reused; nothing else under data/ is touched.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

seed=0
epochs=12
work_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --work-dir) work_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
work_dir="${work_dir:-work_dirs/quickstart_seed$seed}"
config=configs/vid/lsts_tiny_synthetic.py
data_root=data/synthetic_vid/ILSVRC
start=$(date +%s)

echo "== 1/5 environment"
bash tools/setup_env.sh
py="${MMLSTS_VENV:-$repo/.venv}/bin/python"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"

echo "== 2/5 synthetic video set (seed $seed) -> $data_root"
stamp="$data_root/.quickstart_seed"
if [ "$(cat "$stamp" 2>/dev/null)" != "$seed" ]; then
  "$py" tools/make_synthetic_vid.py -o "$data_root" --seed "$seed" --overwrite
  echo "$seed" > "$stamp"
else
  echo "reusing the set generated earlier with seed $seed"
fi

echo "== 3/5 convert to CocoVID JSON"
"$py" tools/convert_datasets/ilsvrc.py -i "$data_root" -o "$data_root/annotations"

echo "== 4/5 train $config for $epochs epochs -> $work_dir"
"$py" tools/train.py "$config" --work-dir "$work_dir" --seed "$seed" --deterministic \
  --cfg-options total_epochs="$epochs" checkpoint_config.interval="$epochs" \
  evaluation.interval="$epochs" lr_config.step="[$((epochs * 2 / 3)),$((epochs * 11 / 12))]"

echo "== 5/5 test with --eval bbox"
"$py" tools/test.py "$config" --checkpoint "$work_dir/latest.pth" --eval bbox \
  | tee "$work_dir/test.log"

# tools/test.py prints the metric dict: {..., 'bbox_mAP_50': 0.123, ...}
map50=$(grep -o "'bbox_mAP_50': [0-9.]*" "$work_dir/test.log" | tail -1 | cut -d' ' -f2)
[ -n "$map50" ] || { echo "quickstart: no bbox_mAP_50 in the test output" >&2; exit 1; }
echo
echo "quickstart done in $(( $(date +%s) - start )) s: LSTS tiny, synthetic set seed $seed," \
  "bbox_mAP_50 = $map50 (work dir: $work_dir)"
