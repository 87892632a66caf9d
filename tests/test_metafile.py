"""The model index (model-index.yml and the metafiles it imports) against the configs.

Follows every ``Import`` of ``model-index.yml`` and checks each metafile in MMTracking's format:
Collections and Models with their required keys, unique names, every ``In Collection`` defined,
every ``Config`` present and loadable with ``mmcv.Config.fromfile`` (mmlsts imported first),
``Metadata.Epochs`` equal to the config's ``total_epochs`` / ``runner.max_epochs``, well-formed
Results and inference times, README files present, and every config under ``configs/vid/``
listed once. When the OpenMMLab ``model-index`` package (module ``modelindex``) is installed the
index is also loaded with it; it is not required.
"""
from __future__ import annotations

import csv
import functools
import glob
import os.path as osp
import re
import statistics
from typing import Any

import pytest
import yaml

import mmlsts  # noqa: F401  (registers LSTS etc. before configs load)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
INDEX = osp.join(REPO, 'model-index.yml')

try:
    import modelindex
    from modelindex.load_model_index import load as modelindex_load
except ImportError:  # optional: the checks below do not depend on it
    modelindex = None

MODEL_KEYS = ('Name', 'In Collection', 'Config', 'Metadata')
COLLECTION_KEYS = ('Name', 'Metadata', 'Paper', 'README')
INFERENCE_KEYS = {'value', 'hardware', 'backend', 'batch size', 'mode', 'resolution'}


def _read_yaml(path: str) -> dict:
    with open(path) as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), f'{path}: top level is not a mapping'
    return data


@functools.cache
def _metafiles() -> tuple[tuple[str, dict], ...]:
    """(repo-relative path, content) of every metafile that model-index.yml imports."""
    index = _read_yaml(INDEX)
    imports = index.get('Import')
    assert isinstance(imports, list) and imports, 'model-index.yml has no Import list'
    assert len(set(imports)) == len(imports), f'an Import is listed twice: {imports}'
    out = []
    for rel in imports:
        path = osp.join(REPO, rel)
        assert osp.isfile(path), f'model-index.yml imports {rel}, which does not exist'
        out.append((rel, _read_yaml(path)))
    return tuple(out)


def _models() -> list[tuple[str, dict]]:
    return [(rel, m) for rel, meta in _metafiles() for m in meta.get('Models') or []]


def _collections() -> list[tuple[str, dict]]:
    return [(rel, c) for rel, meta in _metafiles() for c in meta.get('Collections') or []]


@functools.cache
def _load_config(rel: str) -> Any:
    from mmcv import Config
    return Config.fromfile(osp.join(REPO, rel))


def _config_epochs(cfg: Any) -> int | None:
    runner = cfg.get('runner')
    if runner is not None and runner.get('max_epochs') is not None:
        return runner['max_epochs']
    return cfg.get('total_epochs')


def test_index_imports_metafiles_with_models() -> None:
    metas = _metafiles()
    assert 'configs/vid/lsts/metafile.yml' in [rel for rel, _ in metas]
    for rel, meta in metas:
        unknown = set(meta) - {'Collections', 'Models'}
        assert not unknown, f'{rel}: unknown top-level keys {sorted(unknown)}'
        assert meta.get('Models'), f'{rel}: no Models'


def test_collections_complete_and_unique() -> None:
    names = [c.get('Name') for _, c in _collections()]
    assert len(names) == len(set(names)), f'collection names repeat: {names}'
    assert 'LSTS' in names
    for rel, coll in _collections():
        missing = [k for k in COLLECTION_KEYS if k not in coll]
        assert not missing, f'{rel}: collection {coll.get("Name")} lacks {missing}'
        paper = coll['Paper']
        assert set(paper) == {'URL', 'Title'}, f'{rel}: Paper needs URL and Title, got {paper}'
        assert re.fullmatch(r'https://arxiv\.org/abs/\d{4}\.\d{4,5}', paper['URL']), paper['URL']
        assert osp.isfile(osp.join(REPO, coll['README'])), f'{rel}: README {coll["README"]}'
        assert isinstance(coll['Metadata'].get('Architecture'), list), f'{rel}: Architecture'
        code = coll.get('Code')
        if code is not None and not code['URL'].startswith('http'):
            assert osp.isfile(osp.join(REPO, code['URL'])), f'{rel}: Code URL {code["URL"]}'


def test_lsts_collection_metadata() -> None:
    coll = next(c for _, c in _collections() if c['Name'] == 'LSTS')
    assert coll['Paper']['URL'] == 'https://arxiv.org/abs/1911.05253'
    assert coll['Paper']['Title'] == (
        'Learning Where to Focus for Efficient Video Object Detection')
    assert coll['README'] == 'docs/method.md'
    assert coll['Code']['URL'] == 'mmlsts/models/vid/lsts.py'
    assert {'ResNet', 'LSTS', 'SRFU', 'DFA'} <= set(coll['Metadata']['Architecture'])


def test_models_keys_names_collections() -> None:
    models = _models()
    names = [m.get('Name') for _, m in models]
    assert len(names) == len(set(names)), f'model names repeat: {names}'
    collections = {c['Name'] for _, c in _collections()}
    for rel, model in models:
        missing = [k for k in MODEL_KEYS if k not in model]
        assert not missing, f'{rel}: model {model.get("Name")} lacks {missing}'
        assert model['In Collection'] in collections, (
            f'{rel}: {model["Name"]} is in collection {model["In Collection"]!r}, not defined')
        assert 'Weights' not in model or str(model['Weights']).startswith('http'), (
            f'{rel}: {model["Name"]} Weights must be a URL when present')


@pytest.mark.parametrize('rel, model', _models(), ids=[m['Name'] for _, m in _models()])
def test_model_config_loads_and_epochs_match(rel: str, model: dict) -> None:
    config = model['Config']
    assert osp.isfile(osp.join(REPO, config)), f'{rel}: {model["Name"]}: no file {config}'
    cfg = _load_config(config)
    assert 'model' in cfg, f'{config} has no model'
    meta = model['Metadata']
    epochs = _config_epochs(cfg)
    assert epochs is not None, f'{config}: neither runner.max_epochs nor total_epochs'
    assert meta.get('Epochs') == epochs, (
        f'{rel}: {model["Name"]} Epochs {meta.get("Epochs")} != config {epochs}')
    for timing in meta.get('inference time (ms/im)', []):
        assert set(timing) == INFERENCE_KEYS, f'{rel}: {model["Name"]} inference time {timing}'
        assert isinstance(timing['value'], (int, float)) and timing['value'] > 0


@pytest.mark.parametrize('rel, model', _models(), ids=[m['Name'] for _, m in _models()])
def test_model_results_well_formed(rel: str, model: dict) -> None:
    for result in model.get('Results') or []:
        assert set(result) == {'Task', 'Dataset', 'Metrics'}, f'{rel}: {result}'
        assert result['Task'] == 'Video Object Detection'
        metrics = result['Metrics']
        assert metrics, f'{rel}: {model["Name"]}: empty Metrics'
        for name, value in metrics.items():
            assert isinstance(value, (int, float)) and 0 <= value <= 100, (
                f'{rel}: {model["Name"]}: {name} = {value!r} is not a percentage')


def test_every_vid_config_listed_once() -> None:
    listed = [m['Config'] for _, m in _models()]
    assert len(listed) == len(set(listed)), f'a config is listed twice: {listed}'
    on_disk = sorted(osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs/vid/*.py')))
    assert on_disk, 'no configs under configs/vid'
    assert sorted(listed) == on_disk


def test_lsts_models_as_measured() -> None:
    """The LSTS entries say only what was measured: no ImageNet VID result, no checkpoint."""
    models = {m['Name']: m for _, m in _models() if m['In Collection'] == 'LSTS'}
    assert set(models) == {'lsts_r50', 'lsts_r101', 'lsts_r101_online', 'lsts_r101_gaussian',
                           'lsts_tiny_synthetic'}
    for name in ('lsts_r50', 'lsts_r101', 'lsts_r101_online', 'lsts_r101_gaussian'):
        assert 'Results' not in models[name], f'{name}: no ImageNet VID result exists yet'
        assert models[name]['Metadata']['Training Resources'] == '8x GPUs'
    assert models['lsts_tiny_synthetic']['Metadata']['Training Resources'] == 'CPU'
    assert not any('Weights' in m for m in models.values()), 'no checkpoint is published'


def _results_csv(path: str) -> list[dict]:
    with open(osp.join(REPO, path), newline='') as f:
        return list(csv.DictReader(f))


def test_inference_times_come_from_the_speed_table() -> None:
    """Every ``inference time`` is 1000 / fps of its config's row in docs/results/
    speed_r101_cpu.csv (the CPU table of docs/model_zoo.md), and every row is cited."""
    fps = {r['config']: float(r['fps']) for r in _results_csv('docs/results/speed_r101_cpu.csv')}
    cited = set()
    for rel, model in _models():
        for timing in model['Metadata'].get('inference time (ms/im)', []):
            assert model['Config'] in fps, f'{rel}: {model["Name"]}: no row in the speed table'
            assert timing['value'] == round(1000 / fps[model['Config']]), model['Name']
            assert timing['hardware'].startswith('CPU')
            cited.add(model['Config'])
    # The single-frame row times a detector that has no config of its own.
    assert cited == {c for c in fps if '#' not in c}


def test_tiny_results_are_the_benchmark_means() -> None:
    """A tiny model has Results exactly when the benchmark's results (projects/
    synthetic_benchmark/results/synthetic_vid.csv) have runs of its config, and they are the
    mean bbox_mAP_50 of those runs."""
    runs: dict[str, list[float]] = {}
    for row in _results_csv('projects/synthetic_benchmark/results/synthetic_vid.csv'):
        runs.setdefault(row['config'], []).append(float(row['bbox_mAP_50']))
    for rel, model in _models():
        results = model.get('Results')
        if model['Config'] not in runs:
            assert not results, f'{rel}: {model["Name"]} has Results but no benchmark run'
            continue
        (result,) = results
        assert 'benchmark' in result['Dataset'], f'{rel}: {model["Name"]}: {result["Dataset"]}'
        mean = statistics.mean(runs[model['Config']])
        assert result['Metrics'] == {'box AP@0.5': round(100 * mean, 1)}, model['Name']


def test_modelindex_package_loads_index_when_installed() -> None:
    """With the optional ``model-index`` package, its loader reads the same models."""
    names = sorted(m['Name'] for _, m in _models())
    if modelindex is None:
        assert names  # nothing more to compare with: the package is optional
        return
    mi = modelindex_load(INDEX)
    assert sorted(m.name for m in mi.models) == names
    assert sorted(c.name for c in mi.collections) == sorted(c['Name'] for _, c in _collections())
    # modelindex resolves README paths from the metafile's folder; OpenMMLab's metafiles (and
    # ours, checked above) give them from the repository root, so only those errors are expected.
    errors = [e for e in mi.check(silent=True) if 'Path to README file' not in e]
    assert not errors, errors
