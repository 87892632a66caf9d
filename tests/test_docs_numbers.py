"""Every accuracy and speed number in README.md and docs/model_zoo.md comes from a results file.

The numbers a reader can derive from the committed results (each file's cells; per method of a
benchmark CSV the mean and std over seeds of every metric and the mean fps; the differences of
two methods' means; ratios of fps) make a vocabulary. Checked against it: every number in the
result tables of the two docs (tables whose header names mAP, AP, fps, "measured" or "result")
and every number in their prose written with three decimals or as a ratio (``8.3x``).
"""
from __future__ import annotations

import csv
import itertools
import os.path as osp
import re
import statistics

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
RESULTS = ['docs/results/speed_r101_cpu.csv', 'docs/results/published.csv',
           'docs/results/quickstart.csv', 'docs/results/mmtrack1_quickstart.csv']
BENCHMARKS = ['projects/synthetic_benchmark/results/synthetic_vid.csv',
              'projects/synthetic_benchmark/results/synthetic_vid_first_budget.csv',
              'projects/synthetic_benchmark/results/synthetic_vid_first_budget_rerun.csv']
NUMBER = re.compile(r'(?<![\w.])[+-]?\d+\.\d+x?(?![\w.])')
RESULT_HEADER = re.compile(r'mAP|AP@|AP50|fps|measured|result', re.IGNORECASE)


def _rows(path: str) -> list[dict]:
    with open(osp.join(REPO, path), newline='') as f:
        return list(csv.DictReader(f))


def _cells(rows: list[dict]) -> set[str]:
    """Every number in the cells, as written, and at 1-3 decimals."""
    out = set()
    for row in rows:
        for cell in row.values():
            for token in NUMBER.findall(cell or '') or [cell or '']:
                out.add(token)
                try:
                    value = float(token)
                except ValueError:
                    continue
                out.update(f'{value:.{d}f}' for d in (1, 2, 3))
    return out


def _ratios(values: dict[str, float]) -> set[str]:
    return {f'{a / b:.{d}f}x' for (_, a), (_, b) in itertools.permutations(values.items(), 2)
            if b for d in (1, 2)}


def _benchmark(rows: list[dict]) -> set[str]:
    """Means and stds over seeds, differences of means (signed), fps means and their ratios."""
    out, means, fps = set(), {}, {}
    methods = dict.fromkeys(r['method'] for r in rows)
    for method in methods:
        mine = [r for r in rows if r['method'] == method]
        for key in ('bbox_mAP_50', 'hard_AP50', 'clean_AP50', 'motion_mAP_slow',
                    'motion_mAP_medium', 'motion_mAP_fast'):
            values = [float(r[key]) for r in mine if r[key] not in ('', 'nan')]
            if not values:
                continue
            mean = statistics.fmean(values)
            means[(method, key)] = mean
            out.add(f'{mean:.3f}')
            if len(values) > 1:
                out.add(f'{statistics.stdev(values):.3f}')
        values = [float(r['fps']) for r in mine if r.get('fps')]
        if values:
            fps[method] = statistics.fmean(values)
            out.add(f'{fps[method]:.1f}')
    for (m1, k1), (m2, k2) in itertools.permutations(means, 2):
        if k1 == k2:
            out.add(f'{means[(m1, k1)] - means[(m2, k2)]:+.3f}')
    return out | _ratios(fps)


def vocabulary() -> set[str]:
    words = set()
    for path in RESULTS:
        rows = _rows(path)
        words |= _cells(rows)
        fps = {r.get('config') or r['method']: float(r['fps']) for r in rows
               if re.fullmatch(r'\d+(\.\d+)?', r.get('fps') or '')}
        words |= _ratios(fps)
    for path in BENCHMARKS:
        words |= _benchmark(_rows(path))
    return words


def checked_numbers(path: str) -> list[tuple[int, str]]:
    """(line, number) of every number the doc's result tables and prose state."""
    found, fence, table_checked = [], False, False
    with open(osp.join(REPO, path)) as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip().startswith('```'):
            fence = not fence
            continue
        if fence or line.startswith('    '):
            continue
        if line.startswith('|'):
            previous = lines[number - 2] if number > 1 else ''
            if not previous.startswith('|'):  # a header row
                table_checked = bool(RESULT_HEADER.search(line))
                continue
            tokens = NUMBER.findall(line) if table_checked else []
        else:
            tokens = [t for t in NUMBER.findall(line.replace('`', ' '))
                      if t.endswith('x') or re.search(r'\.\d{3}$', t)]
        found += [(number, t) for t in tokens]
    return found


@pytest.mark.parametrize('doc', ['README.md', 'docs/model_zoo.md'])
def test_every_number_comes_from_a_results_file(doc):
    words = vocabulary()
    unknown = [(line, n) for line, n in checked_numbers(doc)
               if n not in words and n.lstrip('+') not in words]
    assert not unknown, f'{doc}: numbers in no results file (line, number): {unknown}'


def test_the_check_sees_the_numbers_and_rejects_an_invented_one(tmp_path, monkeypatch):
    numbers = [n for _, n in checked_numbers('README.md')]
    assert {'0.674', '+0.055', '6.1x', '0.846'} <= set(numbers)
    words = vocabulary()
    assert '0.849' not in words and '0.846' in words
