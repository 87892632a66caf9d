"""tools/gpu_check.sh without a GPU: its options, the commands it would run, and a run whose
steps meet a fake interpreter (pytest fails, the benchmarks write tables, or pytest hangs)."""
import os
import os.path as osp
import re
import subprocess

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
FAKE_PYTHON = """#!/usr/bin/env bash
case "$*" in
  *"-m pytest"*) sleep "${FAKE_SLEEP:-0}"; echo "== short test summary info =="
                 echo "FAILED tests/test_gpu.py::test_x - boom"; echo "== 1 failed, 3 passed =="
                 exit 1 ;;
  *benchmark_lsts.py*) echo "| op table |" > "${@: -1}" ;;
  *benchmark_vid.py*) mkdir -p "${@: -1}"; echo "| vid table: $* |" > "${@: -1}/benchmark_vid.md" ;;
  *) exit 3 ;;
esac
"""


def gpu_check(*args, **env):
    return subprocess.run(['bash', 'tools/gpu_check.sh', *args], cwd=REPO, text=True,
                          capture_output=True, env={**os.environ, **env}, timeout=120)


def sections(report_dir):
    with open(osp.join(report_dir, 'gpu_check.md')) as f:
        parts = f.read().split('\n## ')[1:]
    return {p.split(':')[0]: p for p in parts}


def test_options():
    assert subprocess.run(['bash', '-n', osp.join(REPO, 'tools', 'gpu_check.sh')]).returncode == 0
    assert '--time-limit S' in gpu_check('--help').stdout
    bad = gpu_check('--bogus')
    assert bad.returncode == 2 and "unknown argument '--bogus'" in bad.stderr
    assert "unknown step 'train'" in gpu_check('--steps', 'env,train').stderr


def test_dry_run_prints_the_offline_build_and_every_step(tmp_path):
    wheels = tmp_path / 'wheels'
    wheels.mkdir()
    (wheels / 'addict-2.4.0-py3-none-any.whl').touch()
    done = gpu_check('--dry-run', '--python', '/opt/env/bin/python', '--wheels', str(wheels),
                     '--out', str(tmp_path / 'out'))
    assert done.returncode == 0, done.stderr
    cores = len(os.sched_getaffinity(0))  # what nproc counts
    for expected in [f'-m pip install --no-index --find-links {wheels} --no-deps',
                     f'PIP_NO_INDEX=1 PIP_FIND_LINKS={wheels} MAX_JOBS={cores}',
                     'bash tools/build_mmcv.sh /opt/env/bin/python',
                     '/opt/env/bin/python -m pytest -m gpu -ra tests',
                     'benchmark_lsts.py --device cuda',
                     'dff_r101.py configs/vid/lsts_r101.py#detector --device cuda --fp16']:
        assert expected in done.stdout
    parts = sections(tmp_path / 'out')
    assert list(parts) == ['build', 'env', 'gpu-tests', 'bench-lsts', 'bench-vid',
                           'bench-vid-fp16']
    assert all('dry run (not run)' in p for p in parts.values())
    venv = gpu_check('--dry-run', '--python', '.venv/bin/python', '--steps', 'build',
                     '--out', str(tmp_path / 'out2'), MAX_JOBS='3')
    assert 'env MMLSTS_CUDA=1 MAX_JOBS=3 bash tools/setup_env.sh' in venv.stdout


def test_failed_steps_are_recorded_and_the_rest_runs(tmp_path):
    fake = tmp_path / 'python'
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    out = tmp_path / 'out'
    done = gpu_check('--python', str(fake), '--out', str(out),
                     '--steps', 'env,gpu-tests,bench-lsts,bench-vid,bench-vid-fp16')
    assert done.returncode == 1
    parts = sections(out)
    assert parts['build'].startswith('build: not run (not in --steps)')
    assert parts['env'].startswith('env: FAILED (exit 3')
    assert parts['gpu-tests'].startswith('gpu-tests: FAILED (exit 1')
    assert 'FAILED tests/test_gpu.py::test_x - boom\n== 1 failed, 3 passed ==' in parts['gpu-tests']
    assert parts['bench-lsts'].startswith('bench-lsts: ok') and 'op table' in parts['bench-lsts']
    assert parts['bench-vid'].startswith('bench-vid: ok') and '| vid table' in parts['bench-vid']
    assert '--fp16' in parts['bench-vid-fp16'] and '--fp16' not in parts['bench-vid']


def test_time_limit_stops_a_step_and_skips_the_rest(tmp_path):
    fake = tmp_path / 'python'
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    done = gpu_check('--python', str(fake), '--out', str(tmp_path), '--time-limit', '2',
                     '--steps', 'gpu-tests,bench-lsts', FAKE_SLEEP='60')
    assert done.returncode == 1
    parts = sections(tmp_path)
    # whole seconds of `date +%s`: the 2 s limit reads 1-3 s depending on where the seconds tick
    assert re.match(r'gpu-tests: FAILED \(time limit: stopped after [1-3] s\)',
                    parts['gpu-tests']), parts['gpu-tests']
    assert parts['bench-lsts'].startswith('bench-lsts: not run (time limit reached)')
