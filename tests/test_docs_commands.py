"""Every shell command in README.md and docs/*.md names files that exist and arguments that parse.

Which text counts as commands:
- in README.md and docs/**/*.md: fenced blocks (```/~~~) tagged bash, sh, shell, zsh (every
  line), console / shell-session (only lines starting with '$ '), and untagged fenced or 4-space
  indented blocks whose first line looks like a command (its program is known below); other
  blocks (python, yaml, formulas, ``run(command=...)`` calls) and inline `code` are not commands;
- lines are joined over trailing '\\'; '# comments' (a '#' at the start of a word, outside quotes)
  and a leading '$ ' prompt are dropped; each logical command is split at |, ||, &&, ; and &, and
  each segment is checked by its first word after VAR=value prefixes (and time/env/nohup).
  Environment prefixes are not applied; paths are taken from the repository root (``cd`` ignored).

Placeholders:
- '[...]' groups are optional syntax: they are removed before the arguments are parsed, and every
  --flag named in them must be an option of the tool's parser (python tools, also when reached
  through tools/dist_*.sh or tools/gpu_check.sh) or appear in the shell script's text;
- '<name>', '...', '$VAR', '${VAR}', '$(...)', '{a,b}' and globs ('*', '?': files that exist
  only after an earlier step, e.g. work_dirs/x/*.log.json) in the remaining arguments make the
  segment a template: the argparse step is skipped, the script and every concrete config path
  are still checked. Bare upper-case words (N, CKPT) are values to argparse: a typed option given
  one fails, so write such placeholders as <name> or inside [...].

Checks per segment:
- python/python3/.venv/bin/python SCRIPT ARGS (or tools/x.py ARGS): SCRIPT exists; every
  configs/...py in ARGS (a '#detector' suffix dropped) exists and loads with mmcv's
  Config.fromfile; the tool accepts ARGS: it runs in this process with sys.argv set and
  argparse's parse_args/parse_known_args patched to raise a private exception after the real
  parse, so nothing after the parse runs (tools/train.py and tools/test.py reach MMTracking's
  tools through tools/_mmtrack_tool.py; mmlsts.dist.setup_launcher is replaced by a no-op there, so
  --launcher pytorch patches nothing in this process; os.environ, sys.argv, sys.path and the
  working directory are restored afterwards). A tool must not act before it parses: whatever it
  does before its first parse runs here too. An argparse error (SystemExit != 0), any
  other exception, or a tool that ends without parsing fails. A python tool that does not use
  argparse fails until this test learns how to check it. '-c CODE' is ignored; '-m MODULE': the
  module is importable, '-m pytest' as pytest below, argparse only for mmlsts.* modules.
- bash/sh SCRIPT ARGS (or tools/x.sh ARGS): SCRIPT exists, `bash -n` accepts it, configs as
  above; arguments per SHELL_ARGS below (forwarded to the python tool they reach, or
  ``--help`` appended and run where the script parses its options before doing anything);
  scripts not listed there: arguments not checked.
- pytest ARGS (also through tools/run_tests.sh): every tests/... path named exists.
- programs in IGNORED_PROGRAMS (pip, git, ls, ...): not checked. Any other program fails, so a
  new kind of command is looked at before it is waved through.
One test per (doc file, line of the command's first line); argparse runs are cached per command.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import glob
import importlib.util
import io
import itertools
import os
import os.path as osp
import re
import runpy
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

import mmlsts.dist

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DOC_FILES = ['README.md'] + sorted(
    osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True))

COMMAND_LANGS = {'bash', 'sh', 'shell', 'zsh'}
PROMPT_LANGS = {'console', 'shell-session'}
PYTHON_RE = re.compile(r'python(3(\.\d+)?)?')
WRAPPERS = {'time', 'env', 'nohup'}
# Programs whose commands are shown but not checked. Add a name here only after deciding that
# nothing in its commands can go stale with this repository.
IGNORED_PROGRAMS = frozenset({
    'pip', 'pip3', 'git', 'nvidia-smi', 'ls', 'export', 'source', '.', 'cd', 'mkdir', 'echo',
    'cat', 'nproc', 'ruff', 'du', 'df', 'tail', 'head', 'grep', 'tee', 'which', 'wget', 'curl',
    'tar', 'ln', 'unset', 'watch', 'nvcc'})
SCRIPT_PROGRAMS = frozenset({'python', 'python3', 'bash', 'sh', 'pytest'})
SEPARATORS = {'|', '||', '&&', ';', '&', '|&'}
REDIRECTIONS = {'>', '>>', '<', '<<', '>&', '&>', '<&', '>|', '&>>'}
PLACEHOLDER_RE = re.compile(r'__PH\d+__|\.\.\.|…|\$|\{[^{}]*,[^{}]*\}|[*?]')


# ----------------------------------------------------------------------------------------------
# Markdown -> logical commands

@dataclass(frozen=True)
class DocCommand:
    """One logical command of a doc file: its first line (1-based) and its joined text."""

    doc: str
    line: int
    text: str


def _strip_comment(line: str) -> str:
    """``line`` without a shell comment: '#' at the start of a word, outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in '\'"':
            quote = ch
        elif ch == '#' and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def _first_word(text: str) -> str:
    """The program of a command line: its first word after env prefixes and wrappers."""
    for word in text.split():
        if re.fullmatch(r'[A-Za-z_]\w*=\S*', word) or word in WRAPPERS:
            continue
        return word
    return ''


def looks_like_command(line: str) -> bool:
    """Whether an untagged or indented block's line reads as a shell command."""
    text = line.strip()
    if text.startswith('$ '):
        return True
    word = _first_word(_strip_comment(text))
    name = osp.basename(word)
    return bool(word) and (
        name in IGNORED_PROGRAMS or name in SCRIPT_PROGRAMS or bool(PYTHON_RE.fullmatch(name))
        or word.startswith(('tools/', './tools/')))


def _blocks(lines: list[str]) -> list[tuple[str, list[tuple[int, str]]]]:
    """(kind, [(line number, text)]) of the fenced and indented code blocks of a markdown file.

    kind: the fence's language ('' untagged), or 'indented'.
    """
    blocks = []
    i = 0
    while i < len(lines):
        fence = re.match(r'^(\s*)(`{3,}|~{3,})\s*([\w+-]*)', lines[i])
        if fence:
            indent, marker, lang = fence.group(1), fence.group(2), fence.group(3).lower()
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                text = lines[i]
                if text.startswith(indent):
                    text = text[len(indent):]
                body.append((i + 1, text))
                i += 1
            blocks.append((lang, body))
            i += 1
            continue
        if (lines[i].startswith('    ') and lines[i].strip()
                and (i == 0 or not lines[i - 1].strip())):
            body = []
            while i < len(lines) and (lines[i].startswith('    ') or not lines[i].strip()):
                body.append((i + 1, lines[i][4:]))
                i += 1
            while body and not body[-1][1].strip():
                body.pop()
            blocks.append(('indented', body))
            continue
        i += 1
    return blocks


def _logical(body: list[tuple[int, str]], prompt_only: bool) -> list[tuple[int, str]]:
    """Join continuation lines and drop comments: [(first line number, command text)]."""
    out = []
    start, parts = None, []
    for number, raw in body:
        text = raw.strip()
        if start is None:
            if prompt_only and not text.startswith('$ '):
                continue
            if text.startswith('$ '):
                text = text[2:]
        text = _strip_comment(text).rstrip()
        if start is None:
            if not text:
                continue
            start = number
        if text.endswith('\\'):
            parts.append(text[:-1].strip())
            continue
        parts.append(text.strip())
        joined = ' '.join(p for p in parts if p)
        if joined:
            out.append((start, joined))
        start, parts = None, []
    if start is not None and parts:
        out.append((start, ' '.join(p for p in parts if p)))
    return out


def extract_commands(doc: str, text: str) -> list[DocCommand]:
    """Every logical shell command of one markdown file."""
    commands = []
    for kind, body in _blocks(text.splitlines()):
        if kind in COMMAND_LANGS:
            logical = _logical(body, prompt_only=False)
        elif kind in PROMPT_LANGS:
            logical = _logical(body, prompt_only=True)
        elif kind in ('', 'indented'):
            first = next((t for _, t in body if _strip_comment(t).strip()), '')
            if not looks_like_command(first):
                continue
            logical = _logical(body, prompt_only=False)
        else:
            continue
        commands.extend(DocCommand(doc, line, cmd) for line, cmd in logical)
    return commands


def doc_commands() -> list[DocCommand]:
    commands = []
    for doc in DOC_FILES:
        with open(osp.join(REPO, doc), encoding='utf-8') as f:
            commands.extend(extract_commands(doc, f.read()))
    return commands


# ----------------------------------------------------------------------------------------------
# Logical command -> segments

@dataclass
class Segment:
    """One simple command: program and arguments, with the placeholders and optional groups."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    optional: list[str] = field(default_factory=list)  # texts of its '[...]' groups

    @property
    def template(self) -> bool:
        return any(PLACEHOLDER_RE.search(a) for a in self.argv[1:])

    def __str__(self) -> str:
        return shlex.join(self.argv)


def _take_optional_groups(text: str) -> tuple[str, list[str]]:
    """Replace every '[...]' group that starts a word (outside quotes) by a marker __OPTk__."""
    groups: list[str] = []
    out, i, quote = [], 0, None
    while i < len(text):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in '\'"':
            quote = ch
        elif ch == '[' and (i == 0 or text[i - 1].isspace()):
            depth, j = 0, i
            while j < len(text):
                depth += {'[': 1, ']': -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            groups.append(text[i + 1:j])
            out.append(f' __OPT{len(groups) - 1}__ ')
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return ''.join(out), groups


def split_segments(command: str) -> list[Segment]:
    """The simple commands of a logical command line, with env prefixes and wrappers removed."""
    text, groups = _take_optional_groups(command)
    counter = itertools.count()
    text = re.sub(r'<[A-Za-z][^<>\n]*>', lambda m: f'__PH{next(counter)}__', text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ''
    segments, words = [], []
    for token in [*lexer, ';']:
        if token in SEPARATORS:
            if words:
                segments.append(words)
            words = []
        elif token in ('(', ')'):
            continue
        else:
            words.append(token)
    out = []
    for words in segments:
        env, argv, optional, skip = {}, [], [], False
        for word in words:
            if skip:
                skip = False
            elif word in REDIRECTIONS:
                skip = True
            elif m := re.fullmatch(r'__OPT(\d+)__', word):
                optional.append(groups[int(m.group(1))])
            elif not argv and re.fullmatch(r'[A-Za-z_]\w*=.*', word):
                key, value = word.split('=', 1)
                env[key] = value
            elif not argv and word in WRAPPERS:
                continue
            else:
                argv.append(word)
        if argv:
            out.append(Segment(argv, env, optional))
    return out


# ----------------------------------------------------------------------------------------------
# Checks

class _Parsed(BaseException):
    """Raised right after a tool's top-level argparse parse: nothing after it runs."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__()
        self.parser = parser


@dataclass(frozen=True)
class ParseOutcome:
    """How a tool took a command line: 'parsed', 'exit0' (e.g. --help), 'error', 'crash',
    'no-parse'; the option strings of its parser (subcommands included) when it parsed."""

    status: str
    detail: str = ''
    options: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return self.status in ('parsed', 'exit0')


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    options = set()
    for action in parser._actions:
        options.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= _option_strings(sub)
    return options


@contextlib.contextmanager
def _restored_environ() -> Iterator[None]:
    """os.environ as it was before, whatever the tool set (LOCAL_RANK, MPLBACKEND, ...)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run_until_parsed(run: Callable[[], object], argv: list[str]) -> ParseOutcome:
    depth = [0]  # parse_args calls parse_known_args: stop only after the outermost one

    def stop_after(real):
        def patched(self, args=None, namespace=None):
            depth[0] += 1
            try:
                result = real(self, args, namespace)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                raise _Parsed(self)
            return result
        return patched

    parse_args = stop_after(argparse.ArgumentParser.parse_args)
    parse_known_args = stop_after(argparse.ArgumentParser.parse_known_args)

    out, err = io.StringIO(), io.StringIO()
    with _restored_environ(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(argparse.ArgumentParser, 'parse_args', parse_args)
        mp.setattr(argparse.ArgumentParser, 'parse_known_args', parse_known_args)
        mp.setattr(mmlsts.dist, 'setup_launcher', lambda launcher, cuda=None: [])
        mp.setattr(sys, 'argv', argv)
        mp.setattr(sys, 'path', list(sys.path))
        mp.chdir(REPO)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                run()
        except _Parsed as parsed:
            return ParseOutcome('parsed', options=frozenset(_option_strings(parsed.parser)))
        except SystemExit as exc:
            if exc.code in (0, None):
                return ParseOutcome('exit0')
            lines = [x for x in err.getvalue().splitlines() if x.strip()]
            return ParseOutcome('error', lines[-1] if lines else f'exit {exc.code}')
        except Exception as exc:  # a tool that fails before it parses: report, do not crash
            return ParseOutcome('crash', f'{type(exc).__name__}: {exc}')
    return ParseOutcome('no-parse', 'the tool returned without an argparse parse')


@functools.cache
def script_outcome(script: str, args: tuple[str, ...]) -> ParseOutcome:
    """Run tools' ``script`` (repo-relative) as __main__ with ``args`` until argparse parsed."""
    path = osp.join(REPO, script)
    return _run_until_parsed(lambda: runpy.run_path(path, run_name='__main__'), [path, *args])


@functools.cache
def module_outcome(module: str, args: tuple[str, ...]) -> ParseOutcome:
    return _run_until_parsed(
        lambda: runpy.run_module(module, run_name='__main__', alter_sys=True), [module, *args])


@functools.cache
def config_problem(path: str) -> str | None:
    """None when the config exists and loads, else why not."""
    if not osp.isfile(osp.join(REPO, path)):
        return f'config {path} does not exist'
    from mmcv import Config
    try:
        Config.fromfile(osp.join(REPO, path))
    except Exception as exc:
        return f'config {path} does not load: {type(exc).__name__}: {exc}'
    return None


@functools.cache
def bash_syntax_problem(script: str) -> str | None:
    proc = subprocess.run(['bash', '-n', osp.join(REPO, script)], capture_output=True, text=True,
                          timeout=30)
    return None if proc.returncode == 0 else f'bash -n {script}: {proc.stderr.strip()}'


def _config_paths(args: list[str]) -> list[str]:
    paths = []
    for arg in args:
        value = arg.split('=', 1)[1] if arg.startswith('-') and '=' in arg else arg
        m = re.fullmatch(r'(?:\./)?(configs/\S+?\.py)(#\w+)?', value)
        if m and not PLACEHOLDER_RE.search(value):
            paths.append(m.group(1))
    return paths


def _optional_flags(groups: list[str]) -> list[str]:
    return [f for g in groups for f in re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', g)]


def _repo_path(path: str) -> str:
    return path[2:] if path.startswith('./') else path


def _check_parse(outcome: ParseOutcome, shown: str, optional: list[str]) -> list[str]:
    if not outcome.ok:
        return [f'{shown}: {outcome.status}: {outcome.detail}']
    if outcome.status != 'parsed':
        return []
    unknown = [f for f in _optional_flags(optional) if f not in outcome.options]
    return [f'{shown}: optional {f} is not an option of the tool' for f in unknown]


def check_python_script(script: str, args: list[str], seg: Segment) -> list[str]:
    script = _repo_path(script)
    path = osp.join(REPO, script)
    if not osp.isfile(path):
        return [f'{script} does not exist']
    problems = [p for c in _config_paths(args) if (p := config_problem(c))]
    with open(path, encoding='utf-8') as f:
        source = f.read()
    if 'argparse' not in source and 'run_mmtrack_tool' not in source:
        return [*problems, f'{script} does not use argparse: teach this test how to check it']
    if seg.template:
        return problems
    shown = shlex.join([script, *args])
    return problems + _check_parse(script_outcome(script, tuple(args)), shown, seg.optional)


def check_pytest(args: list[str]) -> list[str]:
    problems = []
    for arg in args:
        path = arg.split('::', 1)[0]
        if path.startswith('tests') and not PLACEHOLDER_RE.search(path):
            if not osp.exists(osp.join(REPO, path)):
                problems.append(f'pytest: {path} does not exist')
    return problems


def check_python(args: list[str], seg: Segment) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith('-'):
        flag = args[i]
        if flag == '-c':
            return []  # inline code: nothing of the repository to check
        if flag == '-m':
            if i + 1 >= len(args):
                return ['python -m without a module']
            module, rest = args[i + 1], args[i + 2:]
            if module == 'pytest':
                return check_pytest(rest)
            try:
                spec = importlib.util.find_spec(module)
            except ImportError:
                spec = None
            if spec is None:
                return [f'python -m {module}: no such module']
            if module.split('.')[0] == 'mmlsts' and not seg.template:
                return _check_parse(module_outcome(module, tuple(rest)),
                                    shlex.join(['-m', module, *rest]), seg.optional)
            return []
        i += 2 if flag in ('-W', '-X') else 1
    if i >= len(args):
        return ['python without a script']
    return check_python_script(args[i], args[i + 1:], seg)


# Shell scripts' arguments: a function of (args, segment) -> problems.
def _forward_dist(tool: str, fixed: list[str]) -> Callable[[list[str], Segment], list[str]]:
    def check(args: list[str], seg: Segment) -> list[str]:
        if len(args) < 2:
            return [f'needs CONFIG GPUS, got {args}']
        if not args[1].isdigit() or int(args[1]) < 1:
            return [f'GPUS must be a positive number, got {args[1]!r}']
        forwarded = [args[0], *fixed, *args[2:]]
        return _check_parse(script_outcome(tool, tuple(forwarded)),
                            shlex.join([tool, *forwarded]), seg.optional)
    return check


def _gpu_check_args(args: list[str], seg: Segment) -> list[str]:
    if args in ([], ['--help'], ['-h']):
        return []  # the script prints its header
    tool = 'tools/gpu_check.py'
    return _check_parse(script_outcome(tool, tuple(args)), shlex.join([tool, *args]),
                        seg.optional)


def _help_appended(script: str) -> Callable[[list[str], Segment], list[str]]:
    def check(args: list[str], seg: Segment) -> list[str]:
        proc = subprocess.run(['bash', osp.join(REPO, script), *args, '--help'], cwd=REPO,
                              capture_output=True, text=True, timeout=30)
        problems = [] if proc.returncode == 0 else [
            f'bash {shlex.join([script, *args, "--help"])}: exit {proc.returncode}: '
            f'{proc.stderr.strip()[-300:]}']
        return problems + _flags_in_text(script, seg.optional)
    return check


def _flags_in_text(script: str, optional: list[str]) -> list[str]:
    with open(osp.join(REPO, script), encoding='utf-8') as f:
        text = f.read()
    return [f'{script}: optional {f} does not appear in the script'
            for f in _optional_flags(optional) if f not in text]


SHELL_ARGS: dict[str, Callable[[list[str], Segment], list[str]]] = {
    'tools/dist_train.sh': _forward_dist(
        'tools/train.py', ['--seed', '0', '--launcher', 'pytorch']),
    'tools/dist_test.sh': _forward_dist('tools/test.py', ['--launcher', 'pytorch']),
    'tools/gpu_check.sh': _gpu_check_args,
    'tools/quickstart.sh': _help_appended('tools/quickstart.sh'),
    'tools/run_tests.sh': lambda args, seg: check_pytest(args),
}


def check_shell_script(script: str, args: list[str], seg: Segment) -> list[str]:
    script = _repo_path(script)
    if not osp.isfile(osp.join(REPO, script)):
        return [f'{script} does not exist']
    problems = [p for p in [bash_syntax_problem(script)] if p]
    problems += [p for c in _config_paths(args) if (p := config_problem(c))]
    check_args = SHELL_ARGS.get(script)
    if seg.template:
        return problems
    if check_args is None:
        return problems + _flags_in_text(script, seg.optional)
    return problems + check_args(args, seg)


def check_segment(seg: Segment) -> list[str]:
    """Problems of one simple command (empty: fine or deliberately not checked)."""
    prog, args = seg.argv[0], seg.argv[1:]
    name = osp.basename(prog)
    if PYTHON_RE.fullmatch(name):
        return check_python(args, seg)
    if name in ('bash', 'sh'):
        while args and args[0] in ('-e', '-x', '-u', '-eu', '-ex', '-eux', '-euo', 'pipefail'):
            args = args[1:]
        if not args or args[0].startswith('-'):
            return [f'{seg}: only "bash SCRIPT ARGS" is understood']
        return check_shell_script(args[0], args[1:], seg)
    if prog.endswith('.py') and '/' in prog:
        return check_python_script(prog, args, seg)
    if prog.endswith('.sh'):
        return check_shell_script(prog, args, seg)
    if name == 'pytest':
        return check_pytest(args)
    if name in IGNORED_PROGRAMS:
        return []
    return [f'{prog}: unknown program; add it to IGNORED_PROGRAMS or teach this test to check it']


# ----------------------------------------------------------------------------------------------
# The tests

DOC_COMMANDS = doc_commands()


@pytest.mark.parametrize('cmd', DOC_COMMANDS, ids=[f'{c.doc}:{c.line}' for c in DOC_COMMANDS])
def test_doc_command(cmd: DocCommand) -> None:
    segments = split_segments(cmd.text)
    assert segments, f'{cmd.doc}:{cmd.line}: no command in {cmd.text!r}'
    problems = [p for seg in segments for p in check_segment(seg)]
    assert not problems, f'{cmd.doc}:{cmd.line}: {cmd.text}\n  ' + '\n  '.join(problems)


def test_docs_commands_found() -> None:
    """The extraction sees the docs' main commands (an empty list would pass everything)."""
    assert len(DOC_COMMANDS) >= 10
    readme = [c.text for c in DOC_COMMANDS if c.doc == 'README.md']
    assert any(t.startswith('python tools/train.py configs/vid/') for t in readme), readme
    assert any(t.startswith('bash tools/quickstart.sh') for t in readme), readme
    assert any(c.doc == 'docs/model_zoo.md' and 'benchmark_vid.py' in c.text
               for c in DOC_COMMANDS), 'the indented benchmark command of docs/model_zoo.md'


MARKDOWN = """\
# t

```bash
# a comment line
$ OMP_NUM_THREADS=1 python tools/x.py configs/vid/a.py#detector \\
    --flag 1  # trailing comment
bash tools/y.sh 'quoted # not a comment' && ls | grep z
```

```python
import os
```

```
run(command="bash tools/gpu_check.sh run")
```

```
python tools/untagged.py
```

```console
$ python tools/prompted.py
output line
```

Text.

    python tools/indented.py --a \\
        --b

Formula:

    s_n(p0) = <g, f>
"""


def test_extract_commands_rules() -> None:
    cmds = extract_commands('x.md', MARKDOWN)
    assert [(c.line, c.text) for c in cmds] == [
        (5, 'OMP_NUM_THREADS=1 python tools/x.py configs/vid/a.py#detector --flag 1'),
        (7, "bash tools/y.sh 'quoted # not a comment' && ls | grep z"),
        (19, 'python tools/untagged.py'),
        (23, 'python tools/prompted.py'),
        (29, 'python tools/indented.py --a --b'),
    ]


def test_split_segments_rules() -> None:
    segs = split_segments('CUDA_VISIBLE_DEVICES= bash tools/a.sh x 2 && time ls | grep -v y; '
                          'python t.py <config> [--n N | --m 0|1] --k ... > out.txt')
    assert [s.argv for s in segs] == [
        ['bash', 'tools/a.sh', 'x', '2'], ['ls'], ['grep', '-v', 'y'],
        ['python', 't.py', '__PH0__', '--k', '...']]
    assert segs[0].env == {'CUDA_VISIBLE_DEVICES': ''}
    assert split_segments('python t.py work_dirs/x/*.log.json')[0].template
    assert not segs[0].template and segs[3].template
    assert segs[3].optional == ['--n N | --m 0|1']
    assert _optional_flags(segs[3].optional) == ['--n', '--m']
    assert _config_paths(['configs/vid/lsts_r101.py#detector', '--x=configs/b.py', 'c.py']) == [
        'configs/vid/lsts_r101.py', 'configs/b.py']


def test_checks_catch_bad_commands() -> None:
    """Each kind of check can fail: missing tool, bad option, bad config, unknown program."""
    def problems(text: str) -> list[str]:
        return [p for s in split_segments(text) for p in check_segment(s)]

    assert 'does not exist' in problems('python tools/no_such_tool.py')[0]
    assert 'does not exist' in problems('bash tools/no_such.sh')[0]
    assert 'unknown program' in problems('frobnicate --all')[0]
    (bad,) = problems('python tools/make_synthetic_vid.py -o x --no-such-flag')
    assert 'error' in bad and 'unrecognized arguments: --no-such-flag' in bad
    (bad,) = problems('python tools/make_synthetic_vid.py -o x [--no-such-option N]')
    assert 'optional --no-such-option' in bad
    (bad,) = problems('python tools/train.py configs/vid/no_such.py')
    assert 'config configs/vid/no_such.py does not exist' in bad
    (bad,) = problems('bash tools/dist_train.sh configs/vid/lsts_tiny_synthetic.py 2 --bogus')
    assert 'unrecognized arguments: --bogus' in bad
    assert problems('bash tools/quickstart.sh --no-such-arg')
    assert problems('python tools/make_synthetic_vid.py -o <dir> --no-such-flag') == []


def test_train_tool_parses_without_side_effects() -> None:
    """tools/train.py with --launcher pytorch stops at MMTracking's parse: nothing patched."""
    import torch

    cuda_before = torch.nn.Module.cuda
    applied_before = set(mmlsts.dist._applied)
    environ_before = dict(os.environ)
    outcome = script_outcome('tools/train.py', (
        'configs/vid/lsts_tiny_synthetic.py', '--launcher', 'pytorch', '--seed', '0',
        '--cfg-options', 'total_epochs=1'))
    assert outcome.status == 'parsed', outcome
    assert {'--work-dir', '--launcher', '--cfg-options'} <= outcome.options
    assert torch.nn.Module.cuda is cuda_before
    assert set(mmlsts.dist._applied) == applied_before
    assert dict(os.environ) == environ_before
    assert mmlsts.dist.setup_launcher.__module__ == 'mmlsts.dist'
