"""mAP on slow, medium and fast objects (FGFA's protocol) of saved test results.

    python tools/test.py CONFIG --checkpoint CKPT --out results.pkl
    python tools/analysis/eval_motion.py CONFIG results.pkl [--json scores.json]
        [--cfg-options KEY=VALUE ...]

Works for the results of any MMTracking VID method (its ``{'det_bboxes': ...}`` output) and of
a single-frame mmdet detector (``USE_MMDET = True`` configs), with our configs and with
MMTracking's own: the config's test set (``data.test``) gives the frames and the annotation file
that the motion IoU is computed from. Prints the table and the scores (what
``--eval motion`` gives); see docs/motion.md and mmlsts/evaluation/motion.py.
"""
from __future__ import annotations

import argparse
import json
import os.path as osp
import sys

from mmcv import DictAction


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='the config the results were made with')
    parser.add_argument('results', help='pickle written by tools/test.py --out')
    parser.add_argument('--json', help='also write the scores to this JSON file (new file)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='config overrides, e.g. data.test.ann_file=...')
    args = parser.parse_args(argv)
    for path in (args.config, args.results):
        if not osp.isfile(path):
            parser.error(f'file not found: {path}')

    import mmcv
    from mmcv import Config
    from mmtrack.datasets import build_dataset

    import mmlsts  # noqa: F401  (registers LSTSVIDDataset for our configs)
    from mmlsts.evaluation import motion_table, vid_eval_motion
    from mmlsts.utils import atomic_write

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.data.test.test_mode = True
    dataset = build_dataset(cfg.data.test)
    if not hasattr(dataset, 'coco') or not hasattr(dataset, 'cat_ids'):
        parser.error(f'{args.config}: data.test is a {type(dataset).__name__}, not a COCO-style '
                     '(CocoVID) video data set')
    try:
        scores = vid_eval_motion(mmcv.load(args.results), dataset.coco.dataset,
                                 img_ids=[info['id'] for info in dataset.data_infos],
                                 cat_ids=dataset.cat_ids)
    except (KeyError, TypeError, ValueError) as e:
        parser.error(f'{args.results}: {e}')
    print(f'mAP by motion speed of {args.results} (motion IoU from {dataset.ann_file}):')
    print(motion_table(scores))
    print(scores)
    if args.json:
        atomic_write(args.json, json.dumps(scores, indent=1) + '\n', overwrite=False)
        print(f'[eval_motion] wrote {args.json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
