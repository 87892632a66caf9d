"""AP@0.5 of a synthetic-set test run on all, clean, hard and each hardship's frames.

    python tools/test.py configs/vid/lsts_tiny_synthetic.py --checkpoint CKPT --out lsts.pkl
    python tools/analysis/eval_hardships.py data/synthetic_vid/ILSVRC lsts.pkl [more.pkl ...]

Prints one markdown row per results file (see mmlsts/benchmark/hardships.py for the measure).
"""
import argparse
import os.path as osp


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

    from mmlsts.benchmark.hardships import SUBSETS, hardship_ap50, load_detections
    rows = []
    for path in args.results:
        aps = hardship_ap50(load_detections(path), args.root, args.ann_file)
        rows.append((path, aps))
    counts = rows[0][1]
    print('| results | ' + ' | '.join(f'{s} ({counts[s][1]})' for s in SUBSETS) + ' |')
    print('|' + ' --- |' * (len(SUBSETS) + 1))
    for path, aps in rows:
        print(f'| {osp.basename(path)} | ' + ' | '.join(f'{aps[s][0]:.3f}' for s in SUBSETS)
              + ' |')


if __name__ == '__main__':
    main()
