"""Convert an ILSVRC2015 VID/DET download into MMTracking's CocoVID JSON files.

    python tools/convert_datasets/ilsvrc.py -i data/ILSVRC -o data/ILSVRC/annotations \
        [--workers N] [--strict] [--splits train val det]

Writes imagenet_vid_train.json, imagenet_vid_val.json and imagenet_det_30plus1cls.json (see
mmlsts/datasets/ilsvrc_converter.py and docs/data.md), prints a table of counts, and exits
non-zero when --strict meets bad input.
"""
from __future__ import annotations

import argparse
import logging
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='ImageNet VID/DET (ILSVRC2015) to CocoVID JSON')
    p.add_argument('-i', '--input', required=True, help='the ILSVRC root (Data/, Annotations/)')
    p.add_argument('-o', '--output', required=True, help='folder for the JSON files')
    p.add_argument('--workers', type=int, default=1, help='parallel processes (default 1)')
    p.add_argument('--strict', action='store_true', help='stop with an error at bad input')
    p.add_argument('--splits', nargs='+', default=['train', 'val', 'det'],
                   choices=['train', 'val', 'det'])
    p.add_argument('--list-frame-base', type=int, default=0, choices=[0, 1],
                   help='first frame number in Lists/VID_train_15frames.txt (0 as FGFA; 1 as '
                        "MMTracking's converter)")
    p.add_argument('--no-progress', action='store_true', help='hide progress bars')
    return p.parse_args(argv)


def format_table(stats: dict) -> str:
    """Counts per split as a small fixed-width table."""
    rows = [('split', 'videos', 'images', 'key/vid', 'boxes', 'classes', 'problems', 'list')]
    for split in ('train', 'val', 'det'):
        s = stats.get(split)
        if s is None:
            continue
        if split == 'det':
            row = (split, '-', s['images'], s['vid_images'], s['boxes'], len(s['classes']),
                   s['problems'], 'derived' if s['derived_list'] else 'Lists')
        else:
            row = (split, s['videos'], s['frames'], s['key_frames'], s['boxes'],
                   len(s['classes']), s['problems'], 'derived' if s['derived_list'] else 'Lists')
        rows.append(tuple(str(x) for x in row))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # imported after parsing so that --help answers without loading torch/mmtrack
    from tqdm.contrib.logging import logging_redirect_tqdm

    from mmlsts.datasets.ilsvrc_converter import ILSVRCFormatError, convert_ilsvrc

    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    try:
        with logging_redirect_tqdm():
            stats = convert_ilsvrc(args.input, args.output, workers=args.workers,
                                   strict=args.strict, splits=args.splits,
                                   progress=not args.no_progress,
                                   list_frame_base=args.list_frame_base)
    except (ILSVRCFormatError, FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(format_table(stats))
    for split in ('train', 'val', 'det'):
        if split in stats:
            print(f'{split}: {stats[split]["output"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
