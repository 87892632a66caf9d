"""Plot LSTS's learned sampling offsets beside their initialisation (scatter + arrows).

    python tools/analysis/plot_offsets.py CHECKPOINT_OR_CONFIG --out offsets.png
        [--config CONFIG] [--init-checkpoint INIT.pth] [--key srfu.lsts.offsets]
        [--title TEXT] [--dpi 100] [--cfg-options KEY=VALUE ...] [--overwrite]

A checkpoint (.pth) draws its learned offsets and their initialisation: from --init-checkpoint,
else from --config's model.srfu.lsts settings, else from the config stored in the checkpoint.
A config (.py) alone draws the initialisation only. The format follows the --out extension
(.png, .pdf, .svg, ...). Details: mmlsts/apis/plot_offsets.py.
"""
from __future__ import annotations

import argparse
import sys

from mmcv import DictAction


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('source', help='an LSTS checkpoint (.pth) or an LSTS config (.py)')
    parser.add_argument('--out', required=True, help='image file to write (e.g. offsets.png)')
    parser.add_argument('--config', help='config giving the initialisation (for a checkpoint)')
    parser.add_argument('--init-checkpoint', help='checkpoint holding the initial offsets')
    parser.add_argument('--key', default='srfu.lsts.offsets',
                        help='state-dict key (suffix) of the offsets (default srfu.lsts.offsets)')
    parser.add_argument('--title', default=None, help='figure title')
    parser.add_argument('--dpi', type=int, default=100)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='overrides of the config')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing --out')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from mmlsts.apis.plot_offsets import plot_offsets
    from mmlsts.compat import UntrustedCheckpointError
    is_config = args.source.endswith('.py')
    if is_config and args.config:
        print('plot_offsets: error: give --config only with a checkpoint', file=sys.stderr)
        return 2
    try:
        done = plot_offsets(
            args.out, checkpoint=None if is_config else args.source,
            config=args.source if is_config else args.config,
            init_checkpoint=args.init_checkpoint, key=args.key, cfg_options=args.cfg_options,
            title=args.title, overwrite=args.overwrite, dpi=args.dpi)
    except (FileNotFoundError, FileExistsError, IsADirectoryError, KeyError, ValueError,
            UntrustedCheckpointError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f'plot_offsets: error: {message}', file=sys.stderr)
        return 2
    parts = []
    if done['learned'] is not None:
        parts.append(f"{len(done['learned'])} learned offsets ({done['key']})")
    if done['init'] is not None:
        parts.append(f"{len(done['init'])} initial ({done['init_source']})")
    print(f"wrote {done['out']}: {', '.join(parts)}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
