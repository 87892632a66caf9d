"""Every shell command in README.md, docs/*.md and the lab's README names files that exist, and
its arguments parse; every --flag the prose and tables name (in backticks) exists.

Commands: lines of ```bash/sh/shell blocks, '$ ' lines of ```console, 4-space indented lines that
start with python or bash. Tools and the configs/ named must exist (and load); a python tool parses
the arguments with its own argparse, in a forked child of this process that exits right after
parse_args (nothing after the parse runs, nothing here changes); dist_*.sh forward to tools/
{train,test}.py; other scripts: `bash -n`, and `SCRIPT ARGS --help` if they take --help. '[...]'
is optional syntax (its --flags must be in the --help); '<x>', '...', '$X', a glob: not parsed.
A `--flag` in backticks outside commands must be in the --help of the tool the same backticks
name, or, when they name none, of some tool of the repository (or be one of EXTERNAL_FLAGS).
"""
import argparse
import functools
import glob
import os
import os.path as osp
import re
import runpy
import shlex
import subprocess
import sys
import traceback

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
LAB = 'projects/synthetic_benchmark'
DOCS = (['README.md'] + sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/docs/*.md'))
        + [f'{LAB}/README.md'])
# configs checked only
OTHER_PROGRAMS = {'pip', 'git', 'cd', 'ls', 'echo', 'nvidia-smi', 'mim', 'source'}
TOOL_PREFIXES = ('tools/', './tools/', f'{LAB}/tools/')
# Flags of programs that are not ours, as the docs use them.
EXTERNAL_FLAGS = {'--pre', '--no-deps', '--no-build-isolation', '--no-index', '--target',
                  '--find-links', '--user', '--upgrade', '--index-url', '--extra-index-url'}
FLAG = re.compile(r'(?<![\w-])--[A-Za-z][\w-]*')
TEMPLATE = re.compile(r'<[^>]*>|\.\.\.|\$|[*?]')
DIST = {'tools/dist_train.sh': ('tools/train.py', ['--seed', '0', '--launcher', 'pytorch']),
        'tools/dist_test.sh': ('tools/test.py', ['--launcher', 'pytorch'])}


def extract(text: str) -> list[tuple[int, str]]:
    """(first line number, command text) of every shell command of a markdown text."""
    commands, fence, start, joined = [], None, 0, ''
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(('```', '~~~')):
            fence = None if fence is not None else stripped[3:].strip().lower()
            continue
        if not joined:
            if fence == 'console' and not stripped.startswith('$ '):
                continue
            if fence not in ('bash', 'sh', 'shell', 'console') and not (
                    fence is None and line.startswith('    ')
                    and re.match(r'(python3?|bash) ', stripped)):
                continue
            start, stripped = number, stripped.removeprefix('$ ')
        joined += re.sub(r'(^|\s)#.*', '', stripped).strip()
        if joined.endswith('\\'):
            joined = joined[:-1].rstrip() + ' '
        elif joined:
            commands.append((start, joined))
            joined = ''
    return commands


def check(command: str) -> list[str]:
    """Why a command line is wrong (empty: fine): each of its simple commands, [...] flags too."""
    groups = re.findall(r'(?<!\S)\[([^\]]*)\]', command)
    flags = [f for g in groups for f in re.findall(r'(?<![\w-])--?[A-Za-z][\w-]*', g)]
    found, current = [], []
    for word in [*shlex.split(re.sub(r'(?<!\S)\[[^\]]*\]', ' ', command)), ';']:
        if word in ('&&', '||', '|', ';'):
            while current and re.fullmatch(r'[A-Za-z_]\w*=.*', current[0]):
                current.pop(0)  # VAR=value prefixes
            found += problems(current, flags) if current else []
            current = []
        elif current[-1:] in (['>'], ['>>'], ['<']):
            current.pop()  # a redirection and its file
        else:
            current.append(word)
    return found


@functools.cache
def parse(tool: str, args: tuple[str, ...]) -> tuple[int, str]:
    """(exit status, output) of the python TOOL given ARGS, stopped right after its parse."""
    import mmtrack.apis  # noqa: F401  (imported once here, not in every child)

    import mmlsts  # noqa: F401
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code, real = 3, argparse.ArgumentParser.parse_args
        sys.stdout = sys.stderr = open(write, 'w')

        def parse_then_exit(self, *a, **k):
            real(self, *a, **k)
            sys.stdout.flush()
            os._exit(0)
        try:
            argparse.ArgumentParser.parse_args = parse_then_exit
            os.chdir(REPO)
            sys.argv = [tool, *args]
            runpy.run_path(tool, run_name='__main__')
            print(f'{tool} returned without an argparse parse_args')
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:
            traceback.print_exc()
        sys.stdout.flush()
        os._exit(code)
    os.close(write)
    with open(read) as f:
        output = f.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), output


@functools.cache
def config_problem(path: str) -> str | None:
    """Why a config does not load here. MMTracking 1.x's configs (configs/mmtrack1) load only
    in that generation's environment: here they must exist (tests/mmtrack1 loads each)."""
    if path.startswith('configs/mmtrack1/'):
        exists = osp.isfile(osp.join(REPO, path))
        return None if exists else f'config {path} does not exist'
    from mmcv import Config
    try:
        Config.fromfile(osp.join(REPO, path))
    except Exception as exc:
        return f'config {path}: {type(exc).__name__}: {exc}'


def problems(words: list[str], flags: list[str]) -> list[str]:
    """Why one simple command is wrong (empty: fine)."""
    prog, args = words[0], words[1:]
    configs = [re.sub(r'#\w+$', '', a.split('=')[-1]) for a in args if 'configs/' in a]
    found = [p for c in configs if not TEMPLATE.search(c) and (p := config_problem(c))]
    if re.fullmatch(r'(\S*/)?python3?(\.\d+)?', prog):
        if not args or args[0] == '-c' or args[0] == '-m' and args[1:2] != ['pytest']:
            return found
        prog, args = (args[1], args[2:]) if args[0] == '-m' else (args[0], args[1:])
    elif prog in ('bash', 'sh') and args:
        prog, args = args[0], args[1:]
    if prog in OTHER_PROGRAMS:
        return found
    if prog in ('pytest', 'tools/run_tests.sh'):
        return [f'{p} does not exist' for p in args if p.startswith('tests')
                and not osp.exists(osp.join(REPO, p.split('::')[0]))]
    if not prog.startswith(TOOL_PREFIXES):
        return [f'{prog}: unknown program; add it to OTHER_PROGRAMS or teach this test it']
    tool = prog.removeprefix('./')
    if not osp.isfile(osp.join(REPO, tool)):
        return [f'{tool} does not exist']
    if any(TEMPLATE.search(a) for a in args):
        return found
    if tool in DIST:
        if len(args) < 2 or not args[1].isdigit():
            return found + [f'{tool} takes CONFIG GPUS first, got {args}']
        tool, args = DIST[tool][0], [args[0], *DIST[tool][1], *args[2:]]
    with open(osp.join(REPO, tool)) as f:
        text = f.read()
    if tool.endswith('.py'):
        if not re.search(r'argparse|run_mmtrack_tool', text):  # it would run for real
            return found + [f'{tool} does not use argparse: teach this test to check it']
        code, output = parse(tool, tuple(args))
        found += [f'{shlex.join([tool, *args])}: exit {code}: {output[-400:]}'] if code else []
        helped = parse(tool, ('--help',))[1] if flags else ''
        missing = [f for f in flags if f not in helped]
        return found + [f'{tool}: optional {f} is not in its --help' for f in missing]
    run = subprocess.run(['bash', '-n', tool], cwd=REPO, capture_output=True, text=True)
    found += [f'bash -n {tool}: {run.stderr}'] if run.returncode else []
    if '--help' in text:
        run = subprocess.run(['bash', tool, *args, '--help'], cwd=REPO, capture_output=True,
                             text=True, timeout=30)
        found += [f'bash {tool} {shlex.join(args)} --help: {run.stderr}'] if run.returncode else []
    return found + [f'{tool}: optional {f} is not in the script' for f in flags if f not in text]


def prose_flags(text: str) -> list[tuple[int, str, str | None]]:
    """(line, flag, the tool named beside it or None) of every --flag in backticks outside code
    blocks and commands."""
    found, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(('```', '~~~')):
            fence = None if fence is not None else stripped
            continue
        if fence is not None or (line.startswith('    ') and re.match(r'(python3?|bash) ',
                                                                     stripped)):
            continue
        for span in re.findall(r'`([^`]*)`', line):
            tool = next((w.removeprefix('./') for w in span.split()
                         if w.startswith(TOOL_PREFIXES) and w.endswith(('.py', '.sh'))), None)
            found += [(number, flag, tool) for flag in FLAG.findall(span)]
    return found


@functools.cache
def all_tool_flags() -> frozenset[str]:
    """Every --flag that some tool of the repository takes (its --help, or a script's text)."""
    flags = set(EXTERNAL_FLAGS)
    for tool in sorted(glob.glob(f'{REPO}/tools/**/*.py', recursive=True)
                       + glob.glob(f'{REPO}/{LAB}/tools/*.py')):
        rel = osp.relpath(tool, REPO)
        if not osp.basename(rel).startswith('_'):
            flags |= set(FLAG.findall(parse(rel, ('--help',))[1]))
    for script in glob.glob(f'{REPO}/tools/*.sh'):
        flags |= set(FLAG.findall(open(script).read()))
    return frozenset(flags)


def flag_problem(flag: str, tool: str | None) -> str | None:
    if tool is None:
        return None if flag in all_tool_flags() else f'{flag}: no tool takes it'
    if not osp.isfile(osp.join(REPO, tool)):
        return f'{tool} does not exist'
    helped = (parse(tool, ('--help',))[1] if tool.endswith('.py')
              else open(osp.join(REPO, tool)).read())
    return None if flag in FLAG.findall(helped) else f'{tool}: {flag} is not in its --help'


@pytest.mark.parametrize('doc', DOCS)
def test_flags_named_in_prose_and_tables_exist(doc: str) -> None:
    with open(osp.join(REPO, doc)) as f:
        named = prose_flags(f.read())
    wrong = [f'line {n}: {p}' for n, flag, tool in named if (p := flag_problem(flag, tool))]
    assert not wrong, '\n'.join(wrong)


def test_prose_flag_check_catches_a_removed_flag() -> None:
    text = ('Run `tools/analysis/benchmark_vid.py --frames 3 --bogus`; `--pretrain`.\n'
            '```bash\npython tools/x.py --inside-a-block\n```\n| `--frames` | a cell |\n')
    named = prose_flags(text)
    assert named == [(1, '--frames', 'tools/analysis/benchmark_vid.py'),
                     (1, '--bogus', 'tools/analysis/benchmark_vid.py'),
                     (1, '--pretrain', None), (5, '--frames', None)]
    assert [flag_problem(f, t) for _, f, t in named] == [
        None, 'tools/analysis/benchmark_vid.py: --bogus is not in its --help',
        '--pretrain: no tool takes it', None]


def doc_commands() -> list:
    return [pytest.param(command, id=f'{doc}:{line}') for doc in DOCS
            for line, command in extract(open(osp.join(REPO, doc)).read())]


@pytest.mark.parametrize('command', doc_commands())
def test_doc_command(command: str) -> None:
    found = check(command)
    assert not found, f'{command}\n  ' + '\n  '.join(found)


def test_extraction() -> None:
    text = ('```bash\n# a comment\nOMP_NUM_THREADS=1 python tools/x.py configs/a.py#detector \\\n'
            '    --flag 1  # why\nls | grep z && python t.py [--n N|--m 0] > out.txt\n```\n'
            '```python\nimport os\n```\n```console\n$ bash tools/p.sh\noutput\n```\n'
            'Text.\n\n    python tools/indented.py \\\n        --b\n\n    s_n(p0) = <g, f>\n')
    assert extract(text) == [
        (3, 'OMP_NUM_THREADS=1 python tools/x.py configs/a.py#detector --flag 1'),
        (5, 'ls | grep z && python t.py [--n N|--m 0] > out.txt'),
        (11, 'bash tools/p.sh'), (16, 'python tools/indented.py --b')]
    assert len(doc_commands()) >= 20


def test_checker_catches_bad_commands() -> None:
    assert 'tools/no_such.py does not exist' in check('ls > x && X=1 python tools/no_such.py')[0]
    assert 'no_such.py" does not exist' in check('python tools/train.py configs/vid/no_such.py')[0]
    assert 'frobnicate: unknown program' in check('echo a | X= frobnicate --all')[0]
    assert 'no_such.py" does not exist' in check('mim train mmlsts configs/vid/no_such.py')[0]
    make = 'python tools/make_synthetic_vid.py -o x'
    assert 'unrecognized arguments: --bogus' in check(f'{make} --bogus')[0]
    assert 'optional --bogus is not' in check(f'{make} [--bogus N]')[0]
    assert check(f'{make} --seed 1 [--lists] [--frames N]') == []
    assert 'unrecognized arguments: --bogus' in check(
        'bash tools/dist_train.sh configs/vid/lsts_tiny_synthetic.py 2 --bogus')[0]
    assert "unknown argument '--bogus'" in check('bash tools/quickstart.sh --bogus')[0]
