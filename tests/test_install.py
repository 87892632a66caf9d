"""Install metadata: ranges in setup.cfg, the tested versions in one constraints file per
MMTracking generation.

setup.cfg must install into an environment that has its own torch (no ``==`` pins there), with
each generation's needs in its own extra; requirements/constraints.txt (MMTracking 0.x) and
constraints-mmtrack1.txt (1.x) hold the exact versions that tools/setup_env.sh installs, and
the environment the suite runs in must be the one its generation's file describes.
"""
import ast
import configparser
import os
import os.path as osp
import re
import subprocess
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONSTRAINTS = {'mmtrack0': osp.join(REPO, 'requirements', 'constraints.txt'),
               'mmtrack1': osp.join(REPO, 'requirements', 'constraints-mmtrack1.txt')}
SETUP_ENV = osp.join(REPO, 'tools', 'setup_env.sh')


def _setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(REPO, 'setup.cfg'))
    return cfg


def _requirements(text: str) -> list:
    lines = (line.split('#')[0].strip() for line in text.splitlines())
    return [Requirement(line) for line in lines if line]


def _install_requires() -> list:
    return _requirements(_setup_cfg()['options']['install_requires'])


def _extra(name: str) -> list:
    return _requirements(_setup_cfg()['options.extras_require'][name])


def _pins(stack: str = 'mmtrack0') -> dict:
    with open(CONSTRAINTS[stack]) as f:
        reqs = _requirements(f.read())
    return {req.name.lower(): req for req in reqs}


def _pinned_version(req: Requirement) -> str:
    (spec,) = req.specifier
    return spec.version


def test_install_requires_are_ranges_that_keep_an_existing_torch():
    everything = [*_install_requires(), *_extra('mmtrack0'), *_extra('mmtrack1')]
    pinned = [str(req) for req in everything if any(s.operator in ('==', '===')
                                                    for s in req.specifier)]
    assert pinned == [], f'setup.cfg pins exact versions: {pinned}'
    reqs = {req.name.lower(): req for req in _install_requires()}
    # An older CUDA build of torch that mmcv-full 1.x has wheels for, and today's.
    for version in ('1.13.1', '2.0.1', '2.14.1'):
        assert reqs['torch'].specifier.contains(version), version
    assert not reqs['numpy'].specifier.contains('2.0.0')
    # Neither generation is forced on a user: its packages are its extra only.
    assert not {'mmdet', 'mmcls', 'mmengine'} & set(reqs)
    zero = {req.name.lower(): req for req in _extra('mmtrack0')}
    assert zero['mmdet'].specifier.contains('2.25.0') and zero['mmdet'].specifier.contains('2.28.2')
    assert not zero['mmdet'].specifier.contains('3.0.0rc4', prereleases=True)
    one = {req.name.lower(): req for req in _extra('mmtrack1')}
    assert one['mmdet'].specifier.contains('3.0.0rc4', prereleases=True)
    assert not one['mmdet'].specifier.contains('3.0.0rc5', prereleases=True)
    assert 'mmengine' in one
    # Compiled against torch (mmcv) or pinned to wheels that no longer exist (mmtrack,
    # trackeval): installed by hand or by tools/setup_env.sh, named by `import mmlsts`.
    for name in ('mmcv-full', 'mmcv', 'mmtrack', 'trackeval'):
        assert name not in reqs and name not in zero and name not in one


def test_python_requires_admits_3_9_to_3_12():
    spec = SpecifierSet(_setup_cfg()['options']['python_requires'])
    assert all(spec.contains(v) for v in ('3.9.0', '3.10.0', '3.11.7', '3.12.1'))
    assert not spec.contains('3.8.18')


def _evaluated_annotations(tree: ast.AST):
    """Annotations that Python evaluates at import time (function signatures, module and class
    level variables) and that use ``X | Y``: a TypeError before Python 3.10."""
    for node in ast.walk(tree):
        annotations = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs,
                                                  args.vararg, args.kwarg) if a is not None]
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for ann in annotations:
            if ann is not None and any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr)
                                       for n in ast.walk(ann)):
                yield node.lineno


def test_sources_parse_as_python_3_9():
    """What python_requires = >=3.9 needs from what mmlsts ships (the package, and the tools and
    configs that a wheel carries in mmlsts/.mim): 3.9 syntax, and ``X | Y`` annotations only
    where ``from __future__ import annotations`` keeps them unevaluated."""
    problems = []
    for top in ('mmlsts', 'tools', 'configs'):
        for folder, _, files in os.walk(osp.join(REPO, top)):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = osp.join(folder, name)
                with open(path) as f:
                    source = f.read()
                rel = osp.relpath(path, REPO)
                try:
                    tree = ast.parse(source, filename=rel, feature_version=(3, 9))
                except SyntaxError as err:
                    problems.append(f'{rel}:{err.lineno}: not Python 3.9 syntax ({err.msg})')
                    continue
                future = any(isinstance(n, ast.ImportFrom) and n.module == '__future__' and
                             any(a.name == 'annotations' for a in n.names) for n in tree.body)
                if not future:
                    problems += [f'{rel}:{line}: X | Y annotation without '
                                 'from __future__ import annotations'
                                 for line in _evaluated_annotations(tree)]
    assert problems == []


def _named_by_setup_env(stack: str) -> set:
    """Packages tools/setup_env.sh installs for ``stack``: the shared base and the stack's
    arrays in its `case` branch."""
    with open(SETUP_ENV) as f:
        script = f.read()
    branch = re.search(rf'^  {stack}\)(.*?);;', script, re.S | re.M).group(1)
    named = set()
    for text in (script, branch):
        for line in text.splitlines():
            line = line.split('#')[0].strip()
            for match in re.finditer(r'(\w+)=\(([^)]*)\)', line):
                if match.group(1) in ('base', 'mmcv_needs', 'stack_pkgs', 'stack_nodeps') and \
                        (text is branch or match.group(1) == 'base'):
                    named |= set(match.group(2).split())
    named |= set(re.findall(r'mmcv_dist=([A-Za-z0-9_.-]+)', branch))
    return named


@pytest.mark.parametrize('stack', sorted(CONSTRAINTS))
def test_constraints_pin_every_package_named_by_setup_env_and_the_metadata(stack):
    """One exact version per package that setup_env.sh names for the stack or mmlsts' metadata
    asks for (install_requires, the `tests` extra and the stack's extra, which setup_env.sh
    installs), and nothing else."""
    pins = _pins(stack)
    assert all(len(req.specifier) == 1 and _pinned_version(req) and
               next(iter(req.specifier)).operator == '==' for req in pins.values()), pins
    named = _named_by_setup_env(stack)
    metadata_names = {req.name.lower() for req in
                      [*_install_requires(), *_extra('tests'), *_extra(stack)]}
    assert {'torch', 'mmdet', 'mmtrack'} <= named
    assert set(pins) == {n.lower() for n in named} | metadata_names
    # setup_env.sh takes every version from the constraints file, none of its own.
    with open(SETUP_ENV) as f:
        assert re.findall(r'[A-Za-z0-9_.-]+(?:==|>=|<=)[0-9]', f.read()) == []


@pytest.mark.parametrize('stack', sorted(CONSTRAINTS))
def test_constraints_satisfy_the_metadata_ranges(stack):
    pins = _pins(stack)
    for req in [*_install_requires(), *_extra(stack)]:
        assert req.specifier.contains(_pinned_version(pins[req.name.lower()]),
                                      prereleases=True), (str(req), str(pins[req.name.lower()]))


def unmet_pins(stack: str) -> dict:
    """Packages of ``stack``'s constraints file that the running environment lacks or has at
    another version (a CUDA build's local suffix, +cu130, is the same version)."""
    wrong = {}
    for name, req in _pins(stack).items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = 'missing'
        if found == 'missing' or not req.specifier.contains(found, prereleases=True):
            wrong[name] = f'{found} (constraints: {req.specifier})'
    return wrong


def test_environment_has_the_constrained_versions():
    """The suite runs in the environment that requirements/constraints.txt describes
    (tools/setup_env.sh builds it; tests/mmtrack1 checks the 1.x one)."""
    assert unmet_pins('mmtrack0') == {}


def import_error_without(module: str, tmp_path) -> str:
    """The last line of what `import mmlsts` prints in a process where ``module`` (a top-level
    package) cannot be imported; the import must fail."""
    # A module finder in front of the others that hides one top-level package.
    (tmp_path / 'sitecustomize.py').write_text(
        'import sys\n'
        'class Hide:\n'
        '    def find_spec(self, name, path=None, target=None):\n'
        f'        if name == {module!r} or name.startswith({module!r} + "."):\n'
        f'            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)\n'
        'sys.meta_path.insert(0, Hide())\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONWARNINGS='ignore')
    done = subprocess.run([sys.executable, '-c', 'import mmlsts'], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize('module, named', [('mmcv', 'mmcv-full missing'),
                                           ('mmtrack', 'none is installed')])
def test_import_names_a_missing_stack_package(module, named, tmp_path):
    """mmcv-full and mmtrack are not in install_requires: `import mmlsts` without one of them
    says what is missing, what to install and where to read how."""
    last = import_error_without(module, tmp_path)
    assert last.startswith('ImportError: mmlsts needs') and 'docs/install.md' in last, last
    assert named in last, last
