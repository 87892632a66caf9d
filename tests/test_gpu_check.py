"""tools/gpu_check.{sh,py} on the CPU side: the wheel list, collecting, arguments, the report.

No network and no GPU: pip is replaced by a fake that writes files of the right names; the steps
that need a GPU are exercised through their parsers and the report they feed.
"""
import importlib.metadata
import importlib.util
import json
import os
import os.path as osp
import stat
import subprocess
import sys
import textwrap

import pytest
import torch
from packaging.requirements import Requirement

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SCRIPT = osp.join(REPO, 'tools', 'gpu_check.sh')


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gc = _load('_tools_gpu_check', osp.join(REPO, 'tools', 'gpu_check.py'))
MIB = 2**20


# The wheel list --------------------------------------------------------------------------------
def test_wheel_list_has_one_version_each_and_carries_only_what_the_machine_lacks():
    names = [gc.normalize(w.name) for w in gc.WHEELS]
    assert len(names) == len(set(names))
    deliberate = {'numpy', 'pandas', 'setuptools'}  # there, but in versions the stack can't use
    assert [n for n in names if n in gc.ON_THE_MACHINE and n not in deliberate] == []
    assert {w.group for w in gc.WHEELS} == {'stack', 'numpy1'}
    assert dict((gc.normalize(w.name), w.version) for w in gc.WHEELS)['numpy'].startswith('1.')


def _runtime_requirements(dist):
    env = dict(python_version='3.12', python_full_version='3.12.3', sys_platform='linux',
               platform_system='Linux', os_name='posix', extra='')
    try:
        required = importlib.metadata.requires(dist) or []
    except importlib.metadata.PackageNotFoundError:  # on the lent machine: mmlsts from the tree
        pytest.skip(f'{dist} is not installed as a distribution here')
    for text in required:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate(env):
            yield gc.normalize(req.name)


@pytest.mark.parametrize('dist', ['mmcv-full', 'mmdet', 'mmtrack', 'mmcls', 'yapf', 'motmetrics',
                                  'pycocotools', 'lap', 'mmlsts'])
def test_every_runtime_requirement_is_carried_or_on_the_machine(dist):
    carried = {gc.normalize(w.name) for w in gc.WHEELS} | {gc.normalize(gc.SDIST.name)}
    provided = carried | gc.ON_THE_MACHINE | {'opencv-python', 'mmlsts'}  # headless provides cv2
    missing = sorted(set(_runtime_requirements(dist)) - provided)
    assert missing == [], f'{dist} needs {missing}: add them to WHEELS in tools/gpu_check.py'


def test_extra_wheels_replace_or_add_and_bad_specs_are_clear():
    wheels = {gc.normalize(w.name): w for w in gc.wanted_wheels(
        ['opencv-python-headless==4.11.0.86', 'yapf==0.40.1', 'tqdm==4.67.1'])}
    assert wheels['opencv-python-headless'].group == 'numpy1'
    assert wheels['tqdm'].group == 'stack' and len(wheels) == len(gc.WHEELS) + 2
    with pytest.raises(ValueError, match='NAME==VERSION'):
        gc.wanted_wheels(['opencv-python-headless'])


@pytest.mark.parametrize('filename, parsed', [
    ('dotty_dict-1.3.1-py3-none-any.whl', ('dotty-dict', '1.3.1')),
    ('numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
     ('numpy', '1.26.4')),
    ('mmcv-full-1.7.2.tar.gz', ('mmcv-full', '1.7.2')),
    ('mmcv_full-1.7.2-cp312-cp312-linux_x86_64.whl', ('mmcv-full', '1.7.2')),
    ('README.md', None), ('broken.whl', None)])
def test_distribution_file_names(filename, parsed):
    assert gc.parse_dist_filename(filename) == parsed


def _touch(folder, name, size=1000):
    with open(osp.join(folder, name), 'wb') as f:
        f.truncate(size)


def test_inventory_problems_duplicates_missing_and_size(tmp_path):
    wanted = [gc.Wheel('numpy', '1.26.4', 'numpy1', ''), gc.Wheel('mmdet', '2.28.2', 'stack', '')]
    _touch(tmp_path, 'numpy-1.26.4-cp312-cp312-manylinux2014_x86_64.whl')
    _touch(tmp_path, 'numpy-2.0.0-cp312-cp312-manylinux2014_x86_64.whl')
    _touch(tmp_path, 'mmcv-full-1.7.2.tar.gz', 61 * MIB)  # sparse: sizes without the bytes
    _touch(tmp_path, 'notes.txt')
    rows = gc.inventory(str(tmp_path))
    assert [r['project'] for r in rows] == ['mmcv-full', 'numpy', 'numpy']
    problems = gc.check_inventory(rows, wanted)
    assert any(p.startswith('numpy: 2 files') for p in problems)
    assert 'mmdet==2.28.2: missing' in problems
    assert any('more than 60 MiB' in p for p in problems)
    assert gc.stale_files(rows, wanted) == ['numpy-2.0.0-cp312-cp312-manylinux2014_x86_64.whl']
    assert 'files' in gc.wheel_table(rows, wanted) and '| numpy1 |' in gc.wheel_table(rows, wanted)


def test_download_commands_target_the_gpu_machines_python():
    binary, source = gc.download_commands('py', '/d', list(gc.WHEELS))
    assert binary[:4] == ['py', '-m', 'pip', 'download'] and '--no-deps' in binary
    assert '--only-binary=:all:' in binary
    assert binary[binary.index('--python-version') + 1] == '3.12'
    assert binary.count('--platform') == len(gc.PLATFORMS) and 'numpy==1.26.4' in binary
    assert source[-1] == 'mmcv-full==1.7.2' and '--no-build-isolation' in source
    assert '--only-binary=:all:' not in source
    assert gc.download_commands('py', '/d', [], sdist=None) == []


FAKE_PIP = '''#!{python}
"""Stands in for `python -m pip download`: writes files named as pip would, logs its argv."""
import json, os, sys
args = sys.argv[1:]
with open(os.environ['FAKE_PIP_LOG'], 'a') as log:
    log.write(json.dumps(args) + '\\n')
dest = args[args.index('-d') + 1]
for spec in (a for a in args if '==' in a):
    name, version = spec.split('==')
    if '--only-binary=:all:' in args:
        out = f"{{name.replace('-', '_')}}-{{version}}-py3-none-any.whl"
    else:
        out = f'{{name}}-{{version}}.tar.gz'
    with open(os.path.join(dest, out), 'wb') as f:
        f.write(b'x' * 100)
'''


@pytest.fixture
def fake_python(tmp_path, monkeypatch):
    path = tmp_path / 'fakepy'
    path.write_text(FAKE_PIP.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / 'pip.log'
    monkeypatch.setenv('FAKE_PIP_LOG', str(log))
    return str(path), log


def test_collect_wheels_downloads_what_is_missing_once_and_drops_old_versions(
        tmp_path, fake_python, capsys):
    python, log = fake_python
    dest = tmp_path / 'whl'
    dest.mkdir()
    _touch(dest, 'numpy-1.26.3-cp312-cp312-manylinux2014_x86_64.whl')  # stale
    _touch(dest, 'mmdet-2.28.2-py3-none-any.whl')  # already there
    assert gc.main(['collect-wheels', '--dest', str(dest), '--python', python]) == 0
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2 and 'mmdet==2.28.2' not in calls[0]
    assert 'numpy==1.26.4' in calls[0] and calls[1][-1] == 'mmcv-full==1.7.2'
    rows = gc.inventory(str(dest))
    assert gc.check_inventory(rows, gc.wanted_wheels()) == []
    assert not (dest / 'numpy-1.26.3-cp312-cp312-manylinux2014_x86_64.whl').exists()
    assert 'MiB in all' in capsys.readouterr().out
    # A second call downloads nothing.
    assert gc.main(['collect-wheels', '--dest', str(dest), '--python', python]) == 0
    assert len(log.read_text().splitlines()) == 2


def test_collect_wheels_reports_problems(tmp_path, fake_python):
    python, _ = fake_python
    code = gc.main(['collect-wheels', '--dest', str(tmp_path / 'w'), '--python', python,
                    '--max-mib', '0.0001'])
    assert code == 1


@pytest.mark.skipif(not osp.exists(osp.join(REPO, '.git')), reason='not a git checkout')
def test_wheel_folder_is_git_ignored():
    done = subprocess.run(['git', 'check-ignore', '-q', '.whl/numpy-1.26.4-x.whl'], cwd=REPO,
                          check=False)
    assert done.returncode == 0


# Arguments -------------------------------------------------------------------------------------
def test_arguments_defaults_and_out_from_the_environment(monkeypatch):
    monkeypatch.setenv('OUT', '/tmp/device-out')
    args = gc.parse_args(['run'])
    assert args.out == '/tmp/device-out' and args.budget == 560 and args.size == [600, 1000]
    assert args.state == osp.join(REPO, 'build', 'gpu_check') and args.train_epochs == 12
    monkeypatch.delenv('OUT')
    assert gc.parse_args(['report']).out == osp.join(REPO, 'work_dirs', 'gpu_check')
    assert gc.parse_args(['collect-wheels']).dest == osp.join(REPO, '.whl')
    with pytest.raises(SystemExit):
        gc.parse_args([])


def test_step_selection():
    assert gc.select_steps('all', '') == list(gc.STEPS)
    assert gc.select_steps('tests,install', None) == ['install', 'tests']
    assert gc.select_steps('all', 'build,tests') == [s for s in gc.STEPS
                                                     if s not in ('build', 'tests')]
    with pytest.raises(ValueError, match='unknown step'):
        gc.select_steps('install,bogus', '')


def test_benchmark_commands_match_the_tools_argument_parsers():
    vid = _load('_tools_benchmark_vid', osp.join(REPO, 'tools', 'analysis', 'benchmark_vid.py'))
    cmd = gc.bench_vid_command('py', list(gc.VID_CONFIGS), (600, 1000), True, '/o', frames=11)
    args = vid.parse_args(cmd[2:])
    assert args.device == 'cuda' and args.fp16 and args.size == [600, 1000]
    assert args.configs == list(gc.VID_CONFIGS) and args.out_dir == '/o' and args.frames == [11]
    for config in gc.VID_CONFIGS:
        assert osp.isfile(osp.join(REPO, config.split('#')[0])), config
    lsts = _load('_tools_benchmark_lsts', osp.join(REPO, 'tools', 'analysis', 'benchmark_lsts.py'))
    assert lsts.parse_args(['--device', 'cuda', '--out', 'x.md']).device == 'cuda'


def test_the_shell_script_dispatches(tmp_path):
    env = dict(os.environ, MMLSTS_GPU_PYTHON=sys.executable)
    done = subprocess.run(['bash', SCRIPT, '--help'], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0 and 'collect-wheels' in done.stdout
    done = subprocess.run(['bash', SCRIPT, 'bogus'], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 2 and 'unknown subcommand' in done.stderr
    done = subprocess.run(['bash', SCRIPT, 'report', '--state', str(tmp_path / 's'), '--out',
                           str(tmp_path / 'o')], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert '| install | not run |' in (tmp_path / 'o' / 'gpu_check.md').read_text()


# Steps without a GPU ---------------------------------------------------------------------------
def test_budget_leaves_steps_for_later_without_hiding_earlier_results(tmp_path):
    state, out = tmp_path / 'state', tmp_path / 'out'
    (state / 'steps').mkdir(parents=True)
    earlier = gc.result('ok', '12 epochs', wall_seconds=100.0)
    (state / 'steps' / 'train.json').write_text(json.dumps(earlier))
    code = gc.main(['run', '--state', str(state), '--out', str(out), '--budget', '3',
                    '--steps', 'gpu-tests,train'])
    assert code == 0
    assert json.loads((state / 'steps' / 'train.json').read_text())['status'] == 'ok'
    skipped = json.loads((state / 'steps' / 'gpu-tests.json').read_text())
    assert skipped['status'] == 'skipped' and 'budget' in skipped['summary']
    report = (out / 'gpu_check.md').read_text()
    assert '| train | ok | 100 | 12 epochs |' in report and '| gpu-tests | skipped |' in report
    assert (out / 'gpu_check_logs.txt').exists()
    # --resume leaves out what an earlier call finished (install would run in a second).
    (state / 'steps' / 'install.json').write_text(json.dumps(earlier))
    assert gc.main(['run', '--state', str(state), '--out', str(out), '--steps', 'install',
                    '--wheels', str(tmp_path / 'none'), '--resume']) == 0
    assert json.loads((state / 'steps' / 'install.json').read_text()) == earlier
    assert not (state / 'mode.json').exists()


def test_install_without_wheels_uses_the_interpreters_own_packages(tmp_path):
    state = tmp_path / 'state'
    assert gc.main(['run', '--state', str(state), '--out', str(tmp_path / 'o'), '--steps',
                    'install', '--wheels', str(tmp_path / 'none')]) == 0
    assert json.loads((state / 'mode.json').read_text()) == dict(mode='own', pythonpath=[])
    assert json.loads((state / 'steps' / 'install.json').read_text())['status'] == 'skipped'


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason='the view from a machine without a GPU')
def test_build_and_env_steps_on_a_cpu_machine(tmp_path):
    """The probes that run on the GPU machine, run here: the CPU build of mmcv-full has no CUDA
    ops, so `build` fails with the way out; `env` reads the stack's versions."""
    state = tmp_path / 'state'
    code = gc.main(['run', '--state', str(state), '--out', str(tmp_path / 'o'), '--steps',
                    'build,env', '--python', sys.executable, '--wheels', str(tmp_path / 'no')])
    assert code == 1
    build = json.loads((state / 'steps' / 'build.json').read_text())
    assert build['status'] == 'failed' and 'MMLSTS_CUDA=1' in build['summary']
    env = json.loads((state / 'steps' / 'env.json').read_text())
    info = env['info']
    assert env['status'] == 'ok' and info['gpu'] == 'none visible to torch'
    assert info['mmtrack'] == '0.14.0' and info['numpy'].startswith('1.')
    done = subprocess.run([sys.executable, '-c', gc.PREFLIGHT], capture_output=True, text=True,
                          env=dict(os.environ, MPLBACKEND='Agg'), check=False)
    assert done.returncode == 0 and done.stdout.strip().startswith('1.'), done.stderr[-2000:]


# Parsers and the report ------------------------------------------------------------------------
SAMPLE_TESTS = '''
import pytest

def test_ok():
    pass

def test_bad():
    assert 1 == 2, 'boom'

@pytest.mark.skipif(True, reason='needs a CUDA device')
def test_gpu():
    pass

@pytest.mark.xfail(reason='known')
def test_known():
    raise RuntimeError
'''


def test_parse_junit_from_a_real_pytest_run(tmp_path):
    (tmp_path / 'test_sample.py').write_text(SAMPLE_TESTS)
    xml = tmp_path / 'out.xml'
    subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                    f'--junitxml={xml}', 'test_sample.py'], cwd=tmp_path, capture_output=True,
                   check=False)
    junit = gc.parse_junit(str(xml))
    assert junit['counts'] == dict(passed=1, failed=1, error=0, skipped=1, xfailed=1)
    outcome = {c['test'].split('::')[-1]: c for c in junit['cases']}
    assert outcome['test_bad']['outcome'] == 'failed' and 'boom' in outcome['test_bad']['message']
    assert outcome['test_gpu']['message'] == 'needs a CUDA device'
    assert outcome['test_known']['outcome'] == 'xfailed'
    assert gc.counts_line(junit['counts']) == '1 passed, 1 failed, 1 skipped, 1 xfailed'


LOG_JSON = [
    {'env_info': 'x', 'seed': 0},
    {'mode': 'train', 'epoch': 1, 'iter': 20, 'loss': 4.1, 'time': 0.05, 'memory': 310},
    {'mode': 'train', 'epoch': 1, 'iter': 40, 'loss': 3.5, 'time': 0.04, 'memory': 320},
    {'mode': 'train', 'epoch': 2, 'iter': 20, 'loss': 2.0, 'time': 0.03, 'memory': 320},
    {'mode': 'val', 'epoch': 2, 'iter': 120, 'bbox_mAP': 0.31, 'bbox_mAP_50': 0.62,
     'bbox_mAP_copypaste': '0.31 0.62'},
]


def test_training_log_and_test_metrics_parsers(tmp_path):
    path = tmp_path / 'x.log.json'
    path.write_text('\n'.join(json.dumps(e) for e in LOG_JSON) + '\nnot json\n')
    parsed = gc.parse_train_log(str(path))
    assert [e['epoch'] for e in parsed['epochs']] == [1, 2]
    first = parsed['epochs'][0]
    assert first['iters'] == 40 and first['loss'] == 3.5 and first['memory_mb'] == 320
    assert abs(first['s_per_iter'] - 0.045) < 1e-9
    assert parsed['val'] == {'bbox_mAP': 0.31, 'bbox_mAP_50': 0.62}
    text = "Evaluating...\n{'bbox_mAP': 0.2, 'bbox_mAP_50': 0.451, 'bbox_mAP_m': -1.0, " \
           "'bbox_mAP_copypaste': '0.2 0.451'}\n"
    assert gc.parse_metrics(text) == {'bbox_mAP': 0.2, 'bbox_mAP_50': 0.451, 'bbox_mAP_m': -1.0}


def test_report_holds_every_table(tmp_path):
    (tmp_path / 'test_sample.py').write_text(SAMPLE_TESTS)
    xml = tmp_path / 'gpu.xml'
    subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                    f'--junitxml={xml}', 'test_sample.py'], cwd=tmp_path, capture_output=True,
                   check=False)
    log = tmp_path / 'x.log.json'
    log.write_text('\n'.join(json.dumps(e) for e in LOG_JSON))
    train = gc.parse_train_log(str(log))
    train.update(test={'bbox_mAP': 0.3, 'bbox_mAP_50': 0.6}, seconds={'train': 95.0, 'test': 9.0})
    records = {
        'install': gc.result('ok', '21 files carried', mode='numpy1', tried={'numpy1': '1.26.4'},
                             wheels=[dict(file='numpy-1.26.4-x.whl', bytes=17 * MIB)]),
        'build': gc.result('ok', 'built', arch='9.0', wheel='mmcv_full-1.7.2-cp312.whl',
                           wheel_mib=21.0, origin='compiled here in 300 s',
                           ops='CUDA 13.0, GCC 13.3', wall_seconds=310.0),
        'env': gc.result('ok', 'H100', info={'gpu': 'NVIDIA H100 80GB HBM3', 'torch': '2.11.0',
                                              'numpy': '1.26.4', 'packages': 'carried'}),
        'gpu-tests': gc.result('failed', '1 failed', junit=gc.parse_junit(str(xml)),
                               command='-m pytest -m gpu'),
        'bench-lsts': gc.result('ok', '50 s', table='LSTS op, cuda\n\n| C | N |\n| --- | --- |\n'),
        'bench-vid': gc.result('ok', '200 s', tables={'fp32': '| method | fps |\n| LSTS | 30 |',
                                                      'fp16': '| method | fps |\n| LSTS | 50 |'}),
        'train': gc.result('ok', '2 epochs', **train),
    }
    report = gc.assemble_report(records, 'bash tools/gpu_check.sh run')
    for needle in ('# mmlsts GPU check', 'NVIDIA H100 80GB HBM3', '| tests | not run |',
                   '## mmcv-full CUDA ops', '| 9.0 | mmcv_full-1.7.2-cp312.whl | 21.0 |',
                   '## GPU tests (pytest -m gpu)', '1 passed, 1 failed', 'boom',
                   'LSTS op, cuda', '### fp16', '| LSTS | 50 |', '| 2 | 20 | 2.0000 | 0.030 |',
                   '| 95 | 9 | 0.620 | 0.300 | 0.600 |', 'numpy-1.26.4-x.whl',
                   'Command: `-m pytest -m gpu`', 'bash tools/gpu_check.sh run'):
        assert needle in report, needle
    assert gc.markdown_table(['a'], [['x|y']]) == '| a |\n| --- |\n| x\\|y |\n'
    path = gc.write_report(str(tmp_path / 'empty-state'), str(tmp_path / 'out'))
    assert open(path).read().count('not run') == len(gc.STEPS)


def test_stdlib_only():
    """gpu_check.py starts on the GPU machine before anything is installed."""
    code = textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {osp.join(REPO, 'tools')!r})
        import gpu_check
        bad = sorted(m for m in ('torch', 'numpy', 'mmcv', 'mmlsts') if m in sys.modules)
        sys.exit(f'imported {{bad}}' if bad else 0)
    ''')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
