"""The MMTracking 1.x suite: run in that generation's environment (tools/run_tests.sh does,
with .venv-mmtrack1); the rest of tests/ is the MMTracking 0.x suite (tests/conftest.py routes)."""
import mmlsts

if mmlsts.GENERATION != 1:
    raise RuntimeError('tests/mmtrack1 tests the MMTracking 1.x adapter: run it with the '
                       'mmtrack1 environment (MMLSTS_STACK=mmtrack1 bash tools/setup_env.sh; '
                       '.venv-mmtrack1/bin/python -m pytest tests/mmtrack1)')
