"""AP@0.5 of a synthetic-set test run on all, clean, hard and each hardship's frames.

    python tools/test.py configs/vid/lsts_tiny_synthetic.py --checkpoint CKPT --out lsts.pkl
    python projects/synthetic_benchmark/tools/eval_hardships.py data/synthetic_vid/ILSVRC \
        lsts.pkl [more.pkl ...]

Prints one markdown row per results file (synthetic_benchmark/hardships.py has the measure).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the lab's package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('root', help='root of the converted synthetic set (has '
                                     'synthetic_info.json and annotations/)')
    parser.add_argument('results', nargs='+', help='pickles written by tools/test.py --out')
    parser.add_argument('--ann-file', help='default: <root>/annotations/imagenet_vid_val.json')
    args = parser.parse_args()
    for path in args.results:
        if not osp.isfile(path):
            parser.error(f'results file not found: {path}')

    from synthetic_benchmark.hardships import SUBSETS, hardship_ap50, load_detections

    from mmlsts.utils import markdown_table
    rows = [(path, hardship_ap50(load_detections(path), args.root, args.ann_file))
            for path in args.results]
    counts = rows[0][1]
    print(markdown_table(['results', *(f'{s} ({counts[s][1]})' for s in SUBSETS)],
                         [[osp.basename(path), *(f'{aps[s][0]:.3f}' for s in SUBSETS)]
                          for path, aps in rows]), end='')


if __name__ == '__main__':
    main()
