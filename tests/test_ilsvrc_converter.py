"""Tests for the ILSVRC VID/DET -> CocoVID converter and both dataset CLIs."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mmlsts  # noqa: F401  (restores numpy aliases mmtrack needs, before mmtrack datasets)
from mmlsts.datasets import ilsvrc_converter as conv
from mmlsts.datasets.ilsvrc_converter import (
    OUTPUT_NAMES,
    VID_CLASSES,
    VID_WNIDS,
    ILSVRCFormatError,
    convert_ilsvrc,
    derive_train_frames,
)
from mmlsts.datasets.synthetic import make_synthetic_vid

REPO = Path(__file__).resolve().parents[1]
SMALL = dict(num_train_videos=3, num_val_videos=2, frames_per_video=20, num_det_images=6,
             image_size=(48, 64), num_classes=3, hardship_frames=1)
LOGGER = 'mmlsts.datasets.ilsvrc_converter'
V0 = 'ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000'


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


def load(out: Path, split: str) -> dict:
    return json.loads((out / OUTPUT_NAMES[split]).read_text())


@pytest.fixture(scope='module')
def base(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp('ilsvrc') / 'ILSVRC'
    return root, make_synthetic_vid(str(root), seed=0, **SMALL)


@pytest.fixture(scope='module')
def converted(base, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp('ann')
    return out, convert_ilsvrc(str(base[0]), str(out), progress=False)


@pytest.fixture
def copy(base, tmp_path) -> Path:
    dst = tmp_path / 'ILSVRC'
    shutil.copytree(base[0], dst)
    return dst


# ------------------------------------------------------------------------------------------
# counts and the MMTracking / pycocotools contract
# ------------------------------------------------------------------------------------------

def test_counts_equal_generator(base, converted):
    _, gen = base
    _, stats = converted
    for split in ('train', 'val'):
        for key in ('videos', 'frames', 'boxes', 'classes', 'empty_frames'):
            assert stats[split][key] == gen[split][key], (split, key)
        assert stats[split]['problems'] == 0
    for key in ('images', 'vid_images', 'boxes', 'vid_boxes', 'classes'):
        assert stats['det'][key] == gen['det'][key], key
    assert stats['train']['key_frames'] == 3 * 15
    assert stats['val']['key_frames'] == 0
    assert stats['problems'] == 0


def test_json_contract(converted):
    out, stats = converted
    train = load(out, 'train')
    assert [c['id'] for c in train['categories']] == list(range(1, 31))
    assert [c['name'] for c in train['categories']] == list(VID_CLASSES)
    assert [c['encode_name'] for c in train['categories']] == list(VID_WNIDS)
    video = train['videos'][0]
    assert video['name'] == f'train/{V0}'
    assert video['vid_train_frames'] == derive_train_frames(20)
    img = train['images'][0]
    assert img == dict(file_name=f'train/{V0}/000000.JPEG', height=48, width=64, id=1,
                       frame_id=0, video_id=1, is_vid_train_frame=True)  # 20 frames: 0 is key
    keys = {'id', 'video_id', 'image_id', 'category_id', 'instance_id', 'bbox', 'area',
            'iscrowd', 'occluded', 'generated'}
    assert all(set(a) == keys for a in train['annotations'])
    assert any(a['occluded'] for a in train['annotations'])
    a = train['annotations'][0]
    assert a['area'] == a['bbox'][2] * a['bbox'][3] and a['bbox'][2] > 0
    val = load(out, 'val')
    assert val['images'][0]['file_name'].startswith('val/ILSVRC2015_val_00000000/')
    assert not any(i['is_vid_train_frame'] for i in val['images'])
    det = load(out, 'det')
    assert det['categories'][-1] == dict(id=31, name='other_categeries', encode_name=None)
    assert any(a['category_id'] == 31 for a in det['annotations'])
    assert {i['file_name'].split('/')[1] for i in det['images']} == \
        {'ILSVRC2014_train_0000', 'ILSVRC2013_train'}
    umask = os.umask(0)
    os.umask(umask)
    for name in OUTPUT_NAMES.values():  # not mkstemp's private 0600
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_loads_in_mmtrack_and_pycocotools(base, converted):
    from mmtrack.datasets import ImagenetVIDDataset
    from pycocotools.coco import COCO

    root, gen = base
    out, stats = converted
    prefix = str(root / 'Data' / 'VID')
    train = ImagenetVIDDataset(ann_file=str(out / OUTPUT_NAMES['train']), pipeline=[],
                               img_prefix=prefix, load_as_video=True, test_mode=False,
                               filter_empty_gt=False)
    assert len(train) == stats['train']['key_frames']
    assert len(train.vid_ids) == gen['train']['videos']
    assert len(train.cat_ids) == 30
    n_train_boxes = sum(len(train.get_ann_info(i)['bboxes']) for i in train.data_infos)
    train_json = load(out, 'train')
    key_ids = {i['id'] for i in train_json['images'] if i['is_vid_train_frame']}
    assert n_train_boxes == sum(a['image_id'] in key_ids for a in train_json['annotations'])
    sample = train[0]  # the ref-image sampler walks frame ids; must not fail
    assert len(sample) == 2 and sample[0]['img_info']['video_id'] == 1
    filtered = ImagenetVIDDataset(ann_file=str(out / OUTPUT_NAMES['train']), pipeline=[],
                                  img_prefix=prefix, load_as_video=True, test_mode=False)
    assert 0 < len(filtered) <= len(train)

    val = ImagenetVIDDataset(ann_file=str(out / OUTPUT_NAMES['val']), pipeline=[],
                             img_prefix=prefix, load_as_video=True, test_mode=True)
    assert len(val) == gen['val']['frames']
    boxes = sum(len(val.get_ann_info(i)['bboxes']) for i in val.data_infos)
    assert boxes == gen['val']['boxes']
    det = ImagenetVIDDataset(ann_file=str(out / OUTPUT_NAMES['det']), pipeline=[],
                             img_prefix=str(root / 'Data' / 'DET'), load_as_video=False,
                             test_mode=False)
    assert len(det) == gen['det']['vid_images']
    img = det.data_infos[0]
    assert (root / 'Data' / 'DET' / img['filename']).is_file()

    for split in ('train', 'val'):
        coco = COCO(str(out / OUTPUT_NAMES[split]))
        assert len(coco.getImgIds()) == gen[split]['frames']
        assert len(coco.getAnnIds()) == gen[split]['boxes']
        assert len(coco.getCatIds()) == 30
    coco = COCO(str(out / OUTPUT_NAMES['det']))
    assert (len(coco.getImgIds()), len(coco.getAnnIds())) == \
        (gen['det']['images'], gen['det']['boxes'])


def test_workers_give_identical_output(base, converted, tmp_path):
    out1, _ = converted
    stats = convert_ilsvrc(str(base[0]), str(tmp_path), workers=2, progress=False)
    for name in OUTPUT_NAMES.values():
        assert (tmp_path / name).read_bytes() == (out1 / name).read_bytes()
    assert stats['train']['frames'] == base[1]['train']['frames']


def test_inputs_untouched_and_output_not_inside_inputs(base, tmp_path):
    root = base[0]
    before = tree_hashes(root)
    convert_ilsvrc(str(root), str(root / 'annotations'), progress=False, splits=['val'])
    after = tree_hashes(root)
    assert after.pop('annotations/imagenet_vid_val.json')
    assert after == before
    shutil.rmtree(root / 'annotations')
    with pytest.raises(ValueError, match='inside the input tree'):
        convert_ilsvrc(str(root), str(root / 'Annotations' / 'out'), progress=False)
    with pytest.raises(ValueError, match='unknown split'):
        convert_ilsvrc(str(root), str(tmp_path), splits=['test'])


# ------------------------------------------------------------------------------------------
# frame lists
# ------------------------------------------------------------------------------------------

def test_derived_key_frame_rule():
    assert derive_train_frames(300) == list(range(10, 300, 20))
    assert derive_train_frames(30) == list(range(1, 30, 2))
    assert derive_train_frames(15) == list(range(15))
    assert derive_train_frames(10) == list(range(10))  # short video: every frame
    assert derive_train_frames(1) == [0]
    assert derive_train_frames(0) == []
    for n in range(15, 400):
        frames = derive_train_frames(n)
        assert len(frames) == 15 and frames[0] >= 0 and frames[-1] < n
        # the frame holding the centre of segment k: f <= (k + 1/2) * n / 15 < f + 1
        assert all(f <= (2 * k + 1) * n / 30 < f + 1 for k, f in enumerate(frames))


def test_lists_are_honoured(copy, tmp_path):
    lists = copy / 'Lists'
    lists.mkdir()
    (lists / 'VID_train_15frames.txt').write_text(
        f'train/{V0} 1 0 20\ntrain/{V0} 1 7 20\n'
        'train/ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000002 1 19 20\n')
    (lists / 'VID_val_videos.txt').write_text('val/ILSVRC2015_val_00000001 1 0 20\n')
    det_rel = 'train/ILSVRC2014_train_0000/ILSVRC2014_train_00000002'
    (lists / 'DET_train_30classes.txt').write_text(f'{det_rel} 1\n')
    stats = convert_ilsvrc(str(copy), str(tmp_path), progress=False)
    train = load(tmp_path, 'train')
    assert [v['name'] for v in train['videos']] == \
        [f'train/{V0}', 'train/ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000002']
    assert [v['vid_train_frames'] for v in train['videos']] == [[0, 7], [19]]
    assert sum(i['is_vid_train_frame'] for i in train['images']) == 3
    assert len(train['images']) == 40
    assert [v['name'] for v in load(tmp_path, 'val')['videos']] == \
        ['val/ILSVRC2015_val_00000001']
    det = load(tmp_path, 'det')
    assert [i['file_name'] for i in det['images'] if i['is_vid_train_frame']] == \
        [det_rel + '.JPEG']
    assert not any(stats[s]['derived_list'] for s in ('train', 'val', 'det'))
    assert stats['problems'] == 0
    # MMTracking's reading of the same file (1-based frame numbers)
    convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['train'],
                   list_frame_base=1)
    assert [v['vid_train_frames'] for v in load(tmp_path, 'train')['videos']] == [[6], [18]]


def test_list_naming_absent_video_is_reported(copy, tmp_path, caplog):
    (copy / 'Lists').mkdir()
    (copy / 'Lists' / 'VID_val_videos.txt').write_text(
        'val/ILSVRC2015_val_00000000 1 0 20\nval/ILSVRC2015_val_00000099 1 0 20\n')
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        stats = convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['val'])
    assert stats['val']['videos'] == 1
    assert stats['val']['problem_kinds'] == {'missing_listed': 1}
    assert any('ILSVRC2015_val_00000099' in r.getMessage() for r in caplog.records)
    with pytest.raises(ILSVRCFormatError, match='VID_val_videos.txt'):
        convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['val'], strict=True)


# ------------------------------------------------------------------------------------------
# subsets
# ------------------------------------------------------------------------------------------

def test_single_video_and_missing_classes(tmp_path):
    root = tmp_path / 'one'
    gen = make_synthetic_vid(str(root), num_train_videos=1, num_val_videos=1,
                             frames_per_video=7, num_det_images=0, image_size=(40, 48),
                             num_classes=1, hardship_frames=1, seed=5)
    out = tmp_path / 'out'
    stats = convert_ilsvrc(str(root), str(out), splits=('train', 'val'), progress=False)
    assert stats['train']['videos'] == 1 and stats['train']['frames'] == 7
    assert stats['train']['key_frames'] == 7  # shorter than 15 frames: every frame
    assert stats['train']['classes'] == ['airplane'] == gen['train']['classes']
    assert not (out / OUTPUT_NAMES['det']).exists()
    from mmtrack.datasets import ImagenetVIDDataset
    ds = ImagenetVIDDataset(ann_file=str(out / OUTPUT_NAMES['val']), pipeline=[],
                            img_prefix=str(root / 'Data' / 'VID'), test_mode=True)
    assert len(ds) == 7 and len(ds.cat_ids) == 30
    labels = {int(label) for info in ds.data_infos
              for label in ds.get_ann_info(info)['labels']}
    assert labels == {0}  # airplane keeps label 0 although 29 classes have no object
    with pytest.raises(FileNotFoundError, match='DET'):
        convert_ilsvrc(str(root), str(out), splits=['det'], progress=False)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

def _frame(root: Path, kind: str, t: int, video: str = V0) -> Path:
    top = 'Annotations' if kind == 'xml' else 'Data'
    return root / top / 'VID' / 'train' / video / f'{t:06d}.{"xml" if kind == "xml" else "JPEG"}'


def _first_frame_with_object(root: Path, video: str = V0, start: int = 0) -> int:
    for t in range(start, 20):
        if '<object>' in _frame(root, 'xml', t, video).read_text():
            return t
    raise AssertionError('no frame with an object')


KINDS = ('corrupt_xml', 'missing_jpeg', 'unknown_class', 'box_clipped', 'box_dropped')


def _break(root: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, tuple[Path, str]]:
    """Damage the copy in the given ways; returns kind -> (file named in the report, regex)."""
    v1 = 'ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000001'
    t1 = _first_frame_with_object(root, v1)
    t2 = _first_frame_with_object(root, v1, t1 + 1)
    t3 = _first_frame_with_object(root, v1, t2 + 1)
    bad = {}
    if 'corrupt_xml' in kinds:
        p = _frame(root, 'xml', 3)
        p.write_text(p.read_text()[:60])  # truncated
        bad['corrupt_xml'] = (p, 'corrupt or truncated XML')
    if 'missing_jpeg' in kinds:
        p = _frame(root, 'jpeg', 4)
        p.unlink()
        bad['missing_jpeg'] = (p, 'image missing')
    if 'unknown_class' in kinds:
        p = _frame(root, 'xml', t1, v1)
        p.write_text(p.read_text().replace('<name>n0', '<name>n9', 1))
        bad['unknown_class'] = (p, "unknown class wnid 'n9")
    if 'box_clipped' in kinds:
        p = _frame(root, 'xml', t2, v1)
        p.write_text(re.sub(r'<xmax>\d+</xmax>', '<xmax>500</xmax>', p.read_text(), count=1))
        bad['box_clipped'] = (p, r'outside the 64x48 image; clipped to \[')
    if 'box_dropped' in kinds:
        p = _frame(root, 'xml', t3, v1)
        text = re.sub(r'<xmin>\d+</xmin>', '<xmin>300</xmin>', p.read_text(), count=1)
        p.write_text(re.sub(r'<xmax>\d+</xmax>', '<xmax>400</xmax>', text, count=1))
        bad['box_dropped'] = (p, 'lies outside the 64x48 image; dropped')
    return bad


def test_bad_input_one_line_each_and_summary(copy, base, tmp_path, caplog):
    bad = _break(copy)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        stats = convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['train'])
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    for kind, (path, pattern) in bad.items():
        lines = [m for m in messages if m.startswith(f'{path}: ')]
        assert len(lines) == 1, (kind, messages)
        assert re.search(pattern, lines[0]), (kind, lines[0])
    assert stats['train']['problem_kinds'] == {k: 1 for k in bad}
    assert stats['train']['problems'] == 5 == stats['problems']
    summary = [m for m in messages if m.startswith('ILSVRC train: 5 problem(s)')]
    assert len(summary) == 1 and 'missing_jpeg=1' in summary[0]
    assert len(messages) == 6
    gen = base[1]['train']
    assert stats['train']['frames'] == gen['frames'] - 2  # corrupt XML + missing JPEG dropped
    train = load(tmp_path, 'train')
    assert [i['frame_id'] for i in train['images'] if i['video_id'] == 1] == list(range(18))
    names = [i['file_name'] for i in train['images'] if i['video_id'] == 1]
    assert f'train/{V0}/000003.JPEG' not in names and f'train/{V0}/000005.JPEG' in names
    assert all(a['bbox'][0] + a['bbox'][2] <= 64 for a in train['annotations'])
    from mmtrack.datasets import ImagenetVIDDataset
    ds = ImagenetVIDDataset(ann_file=str(tmp_path / OUTPUT_NAMES['train']), pipeline=[],
                            img_prefix=str(copy / 'Data' / 'VID'), test_mode=False,
                            filter_empty_gt=False)
    assert len(ds) == stats['train']['key_frames']


@pytest.mark.parametrize('kind', KINDS)
def test_strict_raises_naming_the_file(copy, tmp_path, kind):
    path, _ = _break(copy, (kind,))[kind]
    with pytest.raises(ILSVRCFormatError) as info:
        convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['train'], strict=True)
    assert isinstance(info.value, ValueError)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f'{path}: ')
    assert not (tmp_path / OUTPUT_NAMES['train']).exists()
    if kind in ('corrupt_xml', 'missing_jpeg'):  # the pool re-raises the worker's error
        with pytest.raises(ILSVRCFormatError, match=re.escape(str(path))):
            convert_ilsvrc(str(copy), str(tmp_path), progress=False, splits=['train'],
                           strict=True, workers=2)


def test_atomic_write_keeps_old_output(copy, tmp_path, monkeypatch):
    out = tmp_path / 'out'
    out.mkdir()
    target = out / OUTPUT_NAMES['val']
    target.write_text('OLD')
    calls = {'n': 0}
    real = conv._encode_item

    def flaky(item):
        calls['n'] += 1
        if calls['n'] > 5:
            raise OSError('disk full (simulated)')
        return real(item)

    monkeypatch.setattr(conv, '_encode_item', flaky)
    with pytest.raises(OSError, match='simulated'):
        convert_ilsvrc(str(copy), str(out), progress=False, splits=['val'])
    assert target.read_text() == 'OLD'
    assert sorted(os.listdir(out)) == [OUTPUT_NAMES['val']]  # no temp file left behind
    monkeypatch.setattr(conv, '_encode_item', real)
    _frame(copy, 'xml', 3).write_text('<annotation><size>')  # strict failure: same guarantee
    target.write_text('OLD')
    (out / OUTPUT_NAMES['train']).write_text('OLD')
    with pytest.raises(ILSVRCFormatError):
        convert_ilsvrc(str(copy), str(out), progress=False, strict=True)
    assert (out / OUTPUT_NAMES['train']).read_text() == 'OLD' == target.read_text()
    assert sorted(os.listdir(out)) == sorted([OUTPUT_NAMES['val'], OUTPUT_NAMES['train']])


# ------------------------------------------------------------------------------------------
# CLIs
# ------------------------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_cli_help():
    for tool in ('tools/convert_datasets/ilsvrc.py', 'tools/make_synthetic_vid.py'):
        res = _run(tool, '--help')
        assert res.returncode == 0, res.stderr
        assert 'usage:' in res.stdout and '--output' in res.stdout


@pytest.mark.slow
def test_cli_end_to_end(tmp_path):
    root = tmp_path / 'ILSVRC'
    res = _run('tools/make_synthetic_vid.py', '-o', str(root), '--seed', '2', '--train-videos',
               '2', '--val-videos', '1', '--frames', '6', '--size', '40', '48', '--classes', '2',
               '--det-images', '3')
    assert res.returncode == 0, res.stderr
    assert 'train: 2 videos, 12 frames' in res.stdout
    _frame(root, 'xml', 2).write_text('<annotation>')  # a bad frame
    out = tmp_path / 'ann'
    res = _run('tools/convert_datasets/ilsvrc.py', '-i', str(root), '-o', str(out), '--workers',
               '2', '--no-progress')
    assert res.returncode == 0, res.stderr
    rows = {line.split()[0]: line.split() for line in res.stdout.splitlines() if line.strip()}
    assert rows['train'][1:3] == ['2', '11'] and rows['val'][1:3] == ['1', '6']
    assert rows['det'][2] == '3' and rows['train'][6] == '1'
    assert str(_frame(root, 'xml', 2)) in res.stderr
    assert sorted(os.listdir(out)) == sorted(OUTPUT_NAMES.values())
    spec = importlib.util.spec_from_file_location('ilsvrc_cli',
                                                  REPO / 'tools/convert_datasets/ilsvrc.py')
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(['-i', str(root), '-o', str(out), '--strict', '--no-progress']) == 1
