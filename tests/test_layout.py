"""The package's walls: what imports what (read from the sources, nothing is imported).

- ``mmlsts`` never imports the lab (``projects/synthetic_benchmark``) or ``tools``;
- ``mmlsts.ops`` imports no OpenMMLab package (the method in plain PyTorch);
- ``mmlsts.models`` and ``mmlsts.datasets`` do not import each other: shared rules (which frame
  is a keyframe) live below both, in ``mmlsts.keyframes``, which imports nothing of mmlsts;
- the two MMTracking generations' adapters do not import each other: the 1.x adapter
  (``mmlsts.mmtrack1``) and the 0.x one (``models``, ``datasets.lsts_vid_dataset``, ``apis``,
  ``dist``) share only what imports no OpenMMLab package (``ops``, ``video_detector``,
  ``keyframes``, ``utils``, ``evaluation``, the data tools) and ``compat``, which tells them
  apart.
"""
import ast
import glob
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MM = ('mmcv', 'mmdet', 'mmtrack', 'mmengine', 'mmcls')


def imports(path: str) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    module = osp.relpath(path, REPO)[:-3].replace('/', '.').removesuffix('.__init__')
    package = module if path.endswith('__init__.py') else module.rpartition('.')[0]
    names = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split('.')
            base = base[:len(base) - node.level + 1] if node.level else []
            names.add('.'.join(base + ([node.module] if node.module else [])))
    return names


def package_imports(folder: str) -> dict[str, set[str]]:
    return {osp.relpath(p, REPO): imports(p)
            for p in glob.glob(osp.join(REPO, folder, '**', '*.py'), recursive=True)}


def _offending(folder: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(path, name) for path, names in package_imports(folder).items() for name in names
            if name.split('.')[0] in forbidden or name.startswith(forbidden)]


def test_the_package_never_imports_the_lab_or_the_tools():
    assert _offending('mmlsts', ('synthetic_benchmark', 'projects', 'tools')) == []


def test_ops_are_plain_pytorch():
    assert _offending('mmlsts/ops', MM) == []


@pytest.mark.parametrize('folder, other', [('mmlsts/models', 'mmlsts.datasets'),
                                           ('mmlsts/datasets', 'mmlsts.models'),
                                           ('mmlsts/keyframes.py', 'mmlsts.')])
def test_models_and_datasets_share_only_what_lies_below_both(folder, other):
    paths = [osp.join(REPO, folder)] if folder.endswith('.py') else None
    found = ({osp.relpath(p, REPO): imports(p) for p in paths} if paths
             else package_imports(folder))
    assert [(p, n) for p, names in found.items() for n in names if n.startswith(other)] == []


def test_the_import_reader_resolves_relative_imports():
    names = imports(osp.join(REPO, 'mmlsts', 'ops', 'dfa.py'))
    assert {'mmlsts.ops.low2high', 'mmlsts.ops.lsts_aggregate', 'torch'} <= names
    assert 'mmlsts.keyframes' in imports(osp.join(REPO, 'mmlsts', 'datasets',
                                                  'lsts_vid_dataset.py'))


GENERATION_0 = ('mmlsts.models', 'mmlsts.datasets.lsts_vid_dataset', 'mmlsts.apis', 'mmlsts.dist')
SHARED = ('mmlsts/ops', 'mmlsts/video_detector.py', 'mmlsts/keyframes.py', 'mmlsts/utils.py',
          'mmlsts/evaluation', 'mmlsts/datasets/synthetic.py',
          'mmlsts/datasets/ilsvrc_converter.py')


def test_the_generations_share_only_plain_code():
    one = package_imports('mmlsts/mmtrack1')
    assert [(p, n) for p, names in one.items() for n in names
            if n == 'mmlsts.datasets' or n.startswith(GENERATION_0)] == []
    for folder in ('mmlsts/models', 'mmlsts/datasets', 'mmlsts/apis'):
        assert [(p, n) for p, names in package_imports(folder).items() for n in names
                if n.startswith('mmlsts.mmtrack1')] == []
    for shared in SHARED:
        found = package_imports(shared) if not shared.endswith('.py') else \
            {shared: imports(osp.join(REPO, shared))}
        assert [(p, n) for p, names in found.items() for n in names
                if n.split('.')[0] in MM] == [], shared
