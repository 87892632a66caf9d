# Kept for `pip install -e .` with setuptools' legacy editable mode; metadata lives in setup.cfg.
from setuptools import setup

setup()
