"""Write a small synthetic video set in the ILSVRC2015 VID/DET layout (for tests and demos).

    python tools/make_synthetic_vid.py -o data/synthetic_vid/ILSVRC --seed 0 \
        --train-videos 8 --val-videos 4 --frames 30 --size 128 160 --classes 3 --det-images 20

Then convert it like the real data:
    python tools/convert_datasets/ilsvrc.py -i data/synthetic_vid/ILSVRC \
        -o data/synthetic_vid/ILSVRC/annotations
"""
from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Synthetic ILSVRC-layout video set')
    p.add_argument('-o', '--output', required=True, help='root to write (like data/ILSVRC)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--train-videos', type=int)
    p.add_argument('--val-videos', type=int)
    p.add_argument('--frames', type=int, help='frames per video')
    p.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'))
    p.add_argument('--classes', type=int, help='first K of the 30 VID classes')
    p.add_argument('--det-images', type=int)
    p.add_argument('--max-objects', type=int, help='objects per video: 1..N')
    p.add_argument('--hardship-frames', type=int,
                   help='frames per video for each hardship kind')
    p.add_argument('--lists', action='store_true', help='also write the FGFA Lists/ files')
    p.add_argument('--overwrite', action='store_true',
                   help='replace an earlier synthetic set at the same root')
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from mmlsts.datasets import make_synthetic_vid  # after parsing

    given = dict(num_train_videos=args.train_videos, num_val_videos=args.val_videos,
                 frames_per_video=args.frames, num_det_images=args.det_images,
                 image_size=tuple(args.size) if args.size else None, num_classes=args.classes,
                 max_objects=args.max_objects, hardship_frames=args.hardship_frames)
    options = {k: v for k, v in given.items() if v is not None}
    try:
        stats = make_synthetic_vid(args.output, seed=args.seed, write_lists=args.lists,
                                   overwrite=args.overwrite, **options)
    except (FileExistsError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    for split in ('train', 'val'):
        s = stats[split]
        print(f'{split}: {s["videos"]} videos, {s["frames"]} frames, {s["boxes"]} boxes, '
              f'{s["empty_frames"]} empty frames, classes {", ".join(s["classes"])}')
    d = stats['det']
    print(f'det: {d["images"]} images ({d["vid_images"]} with VID classes), {d["boxes"]} boxes')
    print(', '.join(f'{k}: {len(v)} frames' for k, v in stats['hardships'].items()))
    print(f'written to {args.output}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
