"""Build hook: ``mmlsts/.mim``, the configs and tools inside the package, for OpenMMLab's mim.

``mim train mmlsts CONFIG`` / ``mim test mmlsts CONFIG`` run ``<package>/.mim/tools/train.py``
(``test.py``) and find configs by name under ``<package>/.mim/configs``, as for every OpenMMLab
package. A wheel (``pip install .``, ``pip wheel .``) gets copies of ``configs/``, ``tools/`` and
``model-index.yml`` there; an editable install (``pip install -e .``) gets symbolic links into
the source tree instead, so edits show at once. ``mmlsts/.mim`` is generated: git ignores it.
Everything else (metadata, dependencies) is in setup.cfg.
"""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
MIM_PARTS = ('configs', 'tools', 'model-index.yml')
SKIP = shutil.ignore_patterns('__pycache__', '*.pyc')


def link_mim_parts(package_dir: str) -> None:
    """``package_dir/.mim/<part>`` -> the source tree's ``<part>``, as relative symbolic links."""
    mim = osp.join(package_dir, '.mim')
    os.makedirs(mim, exist_ok=True)
    for part in MIM_PARTS:
        src, dst = osp.join(HERE, part), osp.join(mim, part)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        os.symlink(osp.relpath(src, mim), dst)


def copy_mim_parts(package_dir: str) -> None:
    """``package_dir/.mim/<part>``: a copy of the source tree's ``<part>``."""
    mim = osp.join(package_dir, '.mim')
    if osp.islink(mim) or osp.isdir(mim):
        shutil.rmtree(mim) if not osp.islink(mim) else os.remove(mim)
    os.makedirs(mim)
    for part in MIM_PARTS:
        src, dst = osp.join(HERE, part), osp.join(mim, part)
        if osp.isdir(src):
            shutil.copytree(src, dst, ignore=SKIP)
        else:
            shutil.copy2(src, dst)


class BuildPyWithMim(build_py):
    """setuptools' build_py, then ``.mim``: linked in editable mode, copied into a build."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            link_mim_parts(osp.join(HERE, 'mmlsts'))
        else:
            copy_mim_parts(osp.join(self.build_lib, 'mmlsts'))


setup(cmdclass={'build_py': BuildPyWithMim})
