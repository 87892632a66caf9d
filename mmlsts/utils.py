"""The project's two small writers, used by every tool that writes a table or a result file.

- :func:`markdown_table`: a GitHub markdown table from a header and rows (the one table writer).
- :func:`atomic_write`: write a file through a temporary file beside it and ``os.replace``, so
  an interrupted run never leaves a half-written file, and refuse to replace an existing file
  unless asked (the one atomic writer).
"""
from __future__ import annotations

import os
import os.path as osp
import tempfile
from collections.abc import Callable, Sequence
from typing import IO, Any

__all__ = ['atomic_write', 'markdown_table']


def markdown_table(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> str:
    """``| a | b |`` lines with a ``| --- |`` rule under the header; cells are ``str()``-ed."""
    width = len(header)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f'markdown_table: row {i} has {len(row)} cells, the header {width}')
    lines = ['| ' + ' | '.join(str(c) for c in header) + ' |', '|' + ' --- |' * width]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def atomic_write(path: str, data: str | bytes | Callable[[IO], None],
                 overwrite: bool = True) -> str:
    """Write ``data`` to ``path`` atomically; returns ``path``.

    ``data`` is text, bytes, or a function that writes into the open temporary file (binary
    mode), for output streamed as it is made. With ``overwrite=False`` an existing ``path`` is
    an error (``FileExistsError``) and is left untouched.
    """
    if not overwrite and osp.exists(path):
        raise FileExistsError(f'{path} exists; refusing to overwrite it')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode('utf-8') if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private; open() would not have
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return path
