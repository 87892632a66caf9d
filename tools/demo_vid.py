"""Video demo: run a video detector over a video file or a folder of frames, write an annotated
video (boxes, class, score; keyframes marked KEY with an orange border).

    python tools/demo_vid.py CONFIG CHECKPOINT INPUT OUTPUT [--device cpu] [--score-thr 0.5]
        [--fps N] [--max-frames N] [--cfg-options KEY=VALUE ...] [--overwrite]
        [--save-frames DIR] [--out-scale F] [--no-progress]

INPUT is a video file (read by mmcv.VideoReader) or a folder of images (in natural name order).
OUTPUT is .mp4 (or .m4v, .mov, .avi), written with the mp4v codec; an existing OUTPUT is kept
unless --overwrite. Works for LSTS, DFF, FGFA and SELSA configs: frames go through
mmlsts.apis.VideoInference, which feeds each one as the config's test dataset would (LSTS
'middle' frames wait for their segment's keyframe). Details: mmlsts/apis/demo.py.
Checkpoints load weights-only; set MMLSTS_TRUSTED_CHECKPOINTS=/path/x.pth for a trusted file
that needs a full load.
"""
from __future__ import annotations

import argparse
import sys

from mmcv import DictAction


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file of a VID detector')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('input', help='video file or folder of frames')
    parser.add_argument('output', help='annotated video (.mp4)')
    parser.add_argument('--device', default=None,
                        help="'cpu', 'cuda', 'cuda:1', ... (default: cuda:0 if available, "
                        'else cpu)')
    parser.add_argument('--score-thr', type=float, default=0.5,
                        help='draw boxes with a score > this (default 0.5)')
    parser.add_argument('--fps', type=float, default=None,
                        help='output frame rate (default: the source video fps, or 25)')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='only the first N frames')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='config overrides, e.g. '
                        'data.test.ref_img_sampler.key_frame_interval=5')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing OUTPUT (and write into a non-empty '
                        '--save-frames folder)')
    parser.add_argument('--save-frames', metavar='DIR', default=None,
                        help='also save every annotated frame as DIR/%%06d.png')
    parser.add_argument('--out-scale', type=float, default=1.0,
                        help='resize frames by this factor before drawing (small inputs)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import mmlsts  # noqa: F401  (registers LSTS and friends before any model is built)
    from mmlsts.apis import run_video_demo
    from mmlsts.compat import UntrustedCheckpointError
    try:
        result = run_video_demo(
            args.config, args.checkpoint, args.input, args.output, device=args.device,
            score_thr=args.score_thr, fps=args.fps, max_frames=args.max_frames,
            cfg_options=args.cfg_options, overwrite=args.overwrite,
            frames_dir=args.save_frames, out_scale=args.out_scale,
            progress=not args.no_progress)
    except (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError,
            ValueError, UntrustedCheckpointError) as err:
        print(f'demo_vid: error: {err}', file=sys.stderr)
        return 2
    keys = result.key_frame_ids
    print(f'wrote {result.output}: {result.num_frames} frames, {result.frame_size[0]}x'
          f'{result.frame_size[1]} at {result.fps:g} fps, '
          f'{sum(result.num_boxes)} boxes with score > {args.score_thr}')
    if result.has_key_frames:
        shown = ', '.join(map(str, keys[:20])) + (', ...' if len(keys) > 20 else '')
        print(f'keyframes ({len(keys)}): {shown}')
    if result.frames_dir:
        print(f'annotated frames in {result.frames_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
