"""Tests for the synthetic ILSVRC-layout video set (mmlsts.datasets.synthetic)."""
from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest

from mmlsts.datasets.ilsvrc_converter import VID_CLASSES, VID_WNIDS
from mmlsts.datasets.synthetic import HARDSHIPS, OTHER_DET_WNID, make_synthetic_vid

SMALL = dict(num_train_videos=3, num_val_videos=2, frames_per_video=12, num_det_images=6,
             image_size=(48, 64), num_classes=3, hardship_frames=1)


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


def read_objects(xml_path: Path) -> list[dict]:
    out = []
    for obj in ET.parse(xml_path).getroot().iter('object'):
        box = obj.find('bndbox')
        out.append(dict(name=obj.findtext('name'), trackid=obj.findtext('trackid'),
                        occluded=obj.findtext('occluded'), generated=obj.findtext('generated'),
                        box=[int(box.findtext(k)) for k in ('xmin', 'ymin', 'xmax', 'ymax')]))
    return out


@pytest.fixture(scope='module')
def small_set(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp('syn') / 'ILSVRC'
    return root, make_synthetic_vid(str(root), seed=0, **SMALL)


def test_same_seed_same_bytes_other_seed_differs(tmp_path, small_set):
    root0, stats0 = small_set
    again = tmp_path / 'again'
    other = tmp_path / 'other'
    stats_again = make_synthetic_vid(str(again), seed=0, **SMALL)
    make_synthetic_vid(str(other), seed=1, **SMALL)
    h0, h_again, h_other = tree_hashes(root0), tree_hashes(again), tree_hashes(other)
    # synthetic_info.json records the root, so compare it without that field
    info0 = json.loads((root0 / 'synthetic_info.json').read_text())
    info_again = json.loads((again / 'synthetic_info.json').read_text())
    for hashes in (h0, h_again, h_other):
        del hashes['synthetic_info.json']
    del info0['root'], info_again['root']
    assert h0 == h_again
    assert info0 == info_again
    assert {k: v for k, v in stats_again.items() if k != 'root'} == \
        {k: v for k, v in stats0.items() if k != 'root'}
    jpegs = [k for k in h0 if k.endswith('.JPEG') and '/VID/' in k]
    assert set(jpegs) <= set(h_other)  # same video layout ...
    assert sum(h0[k] != h_other[k] for k in jpegs) == len(jpegs)  # ... different content


def test_layout_and_counts_match_stats(small_set):
    root, stats = small_set
    n = SMALL['frames_per_video']
    for split, count in (('train', SMALL['num_train_videos']), ('val', SMALL['num_val_videos'])):
        ann_top = root / 'Annotations' / 'VID' / split
        pattern = '*/*/*.xml' if split == 'train' else '*/*.xml'
        xmls = sorted(ann_top.glob(pattern))
        assert len(xmls) == count * n == stats[split]['frames']
        assert stats[split]['videos'] == count
        boxes = empty = 0
        classes = set()
        for x in xmls:
            jpeg = root / 'Data' / 'VID' / x.relative_to(root / 'Annotations' / 'VID')
            assert jpeg.with_suffix('.JPEG').is_file()
            objs = read_objects(x)
            boxes += len(objs)
            empty += not objs
            for o in objs:
                assert o['trackid'] is not None and o['occluded'] in ('0', '1')
                assert o['generated'] == '0'
                x1, y1, x2, y2 = o['box']
                assert 0 <= x1 < x2 <= SMALL['image_size'][1] - 1
                assert 0 <= y1 < y2 <= SMALL['image_size'][0] - 1
                classes.add(VID_CLASSES[VID_WNIDS.index(o['name'])])
        assert boxes == stats[split]['boxes']
        assert empty == stats[split]['empty_frames'] > 0  # objects that leave -> empty frames
        assert sorted(classes) == stats[split]['classes']
    assert stats['classes'] == list(VID_CLASSES[:3])
    sets = root / 'ImageSets' / 'VID'
    assert sorted(p.name for p in sets.glob('train_*.txt')) == \
        sorted(f'train_{k}.txt' for k in range(1, 31))
    assert len((sets / 'val.txt').read_text().splitlines()) == stats['val']['frames']
    det_xmls = sorted((root / 'Annotations' / 'DET' / 'train').rglob('*.xml'))
    assert len(det_xmls) == stats['det']['images'] == SMALL['num_det_images']
    assert any('ILSVRC2013_train' in str(p) for p in det_xmls)
    det_objs = [o for x in det_xmls for o in read_objects(x)]
    assert len(det_objs) == stats['det']['boxes']
    assert sum(o['name'] != OTHER_DET_WNID for o in det_objs) == stats['det']['vid_boxes']
    assert any(o['name'] == OTHER_DET_WNID for o in det_objs)
    assert all(o['trackid'] is None for o in det_objs)


def test_objects_leave_and_come_back_with_same_trackid(small_set):
    root, _ = small_set
    video = root / 'Annotations' / 'VID' / 'train' / 'ILSVRC2015_VID_train_0000' / \
        'ILSVRC2015_train_00000000'
    present = [{o['trackid'] for o in read_objects(x)} for x in sorted(video.glob('*.xml'))]
    seen = [('0' in p) for p in present]
    first, last = seen.index(True), len(seen) - 1 - seen[::-1].index(True)
    assert not all(seen[first:last + 1]), 'object 0 of video 0 should leave and re-enter'


def test_hardship_frames_exist_and_look_hard(small_set):
    root, stats = small_set
    hard = stats['hardships']
    assert set(hard) == set(HARDSHIPS)
    per_video = SMALL['hardship_frames']
    n_videos = SMALL['num_train_videos'] + SMALL['num_val_videos']
    by_frame: dict[tuple[str, int], set[str]] = {}
    for kind, frames in hard.items():
        # the quick-start set has single hardship frames of the first four kinds, no noise
        assert len(frames) == (0 if kind == 'noise' else per_video * n_videos), kind
        for _split, video, t in frames:
            assert (root / 'Data' / 'VID' / video / f'{t:06d}.JPEG').is_file()
            by_frame.setdefault((video, t), set()).add(kind)
    for _, video, t in hard['occlusion']:
        objs = read_objects(root / 'Annotations' / 'VID' / video / f'{t:06d}.xml')
        assert any(o['occluded'] == '1' for o in objs)
    for _, video, t in hard['rare_pose']:
        assert read_objects(root / 'Annotations' / 'VID' / video / f'{t:06d}.xml')

    def sharpness(video: str, t: int) -> float:
        img = cv2.imread(str(root / 'Data' / 'VID' / video / f'{t:06d}.JPEG'), 0)
        return float(np.abs(cv2.Laplacian(img.astype(np.float32), cv2.CV_32F)).mean())

    for kind in ('defocus', 'motion_blur'):
        ratios = []
        for _, video, t in hard[kind]:
            calm = [u for u in (t - 1, t + 1, t - 2, t + 2)
                    if 0 <= u < SMALL['frames_per_video'] and (video, u) not in by_frame]
            ratios.append(sharpness(video, t) / np.mean([sharpness(video, u) for u in calm]))
        assert np.median(ratios) < 0.9, (kind, ratios)


def test_more_classes_and_lists(tmp_path):
    stats = make_synthetic_vid(str(tmp_path / 's'), num_train_videos=6, num_val_videos=1,
                               frames_per_video=4, num_det_images=0, image_size=(40, 40),
                               num_classes=6, write_lists=True, seed=3)
    assert stats['train']['classes'] == sorted(VID_CLASSES[:6])  # object 0 cycles classes
    lists = tmp_path / 's' / 'Lists'
    lines = (lists / 'VID_train_15frames.txt').read_text().splitlines()
    assert len(lines) == 6 * 4  # a 4-frame video: every frame is a key frame
    assert lines[0].split() == ['train/ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000',
                                '1', '0', '4']
    assert (lists / 'VID_val_videos.txt').read_text() == 'val/ILSVRC2015_val_00000000 1 0 4\n'


def test_refuses_to_clobber(tmp_path, small_set):
    busy = tmp_path / 'busy'
    busy.mkdir()
    (busy / 'keep.txt').write_text('mine')
    with pytest.raises(FileExistsError):
        make_synthetic_vid(str(busy), **SMALL)
    with pytest.raises(FileExistsError, match='not a synthetic set'):
        make_synthetic_vid(str(busy), overwrite=True, **SMALL)
    assert (busy / 'keep.txt').read_text() == 'mine'
    root = tmp_path / 'redo'
    make_synthetic_vid(str(root), **{**SMALL, 'num_train_videos': 5})
    (root / 'synthetic_info.json').write_text('{"incomplete": true}\n')  # as if interrupted
    make_synthetic_vid(str(root), overwrite=True, **SMALL)
    assert 'incomplete' not in json.loads((root / 'synthetic_info.json').read_text())
    videos = os.listdir(root / 'Data' / 'VID' / 'train' / 'ILSVRC2015_VID_train_0000')
    assert len(videos) == SMALL['num_train_videos']
    with pytest.raises(ValueError):
        make_synthetic_vid(str(tmp_path / 'bad'), num_classes=31)


def test_twin_classes_differ_only_in_band_orientation():
    """Twins 2i and 2i + 1: the same shape and colours, bands across y for one and across x for
    the other; plain on a clean sprite (contrast 0.2 : 1), gone after the benchmark's defocus."""
    import cv2

    from mmlsts.datasets.synthetic import _HEAVY, _class_sprite
    for base in range(4):
        (img_h, mask_h), (img_v, mask_v) = _class_sprite(2 * base, True), _class_sprite(
            2 * base + 1, True)
        assert np.array_equal(mask_h, mask_v)
        assert np.allclose(img_h.mean(), img_v.mean())
        assert np.array_equal(img_h, img_v.transpose(1, 0, 2))  # one band pattern, turned
        grey = img_h.mean(axis=2)
        assert np.ptp(grey, axis=1).max() == 0  # constant along x: horizontal bands
        assert grey.min() / grey.max() == pytest.approx(0.2)
        # At the smallest object size (28 px) the weakest benchmark defocus leaves under a fifth
        # of the band contrast in the middle of the object (docs/data.md).
        small = cv2.resize(grey, (28, 28), interpolation=cv2.INTER_AREA)
        blurred = cv2.GaussianBlur(small, (0, 0), _HEAVY['defocus'][0])
        assert np.ptp(blurred[7:21, 14]) < 0.2 * np.ptp(small[:, 14])


def test_twins_lose_their_bands_exactly_in_hardship_episodes(tmp_path, monkeypatch):
    """With twin classes and hardship runs, an object is drawn without its bands in the frames
    of an episode that hits it (all objects under blur, defocus, noise; the occluded one) and
    with them everywhere else."""
    from mmlsts.datasets import synthetic
    events: list = []
    paste, write = synthetic._paste, synthetic._write

    def record_paste(frame, sprite, *args):
        events.append(('paste', float(np.ptp(sprite[0], axis=(0, 1)).max()) == 0.0))
        paste(frame, sprite, *args)

    def record_write(path, data):
        if path.endswith('.JPEG') and os.sep + 'VID' + os.sep in path:
            events.append(('frame', path))
        write(path, data)

    monkeypatch.setattr(synthetic, '_paste', record_paste)
    monkeypatch.setattr(synthetic, '_write', record_write)
    root = tmp_path / 'ILSVRC'
    info = make_synthetic_vid(str(root), num_train_videos=1, num_val_videos=2,
                              frames_per_video=24, num_det_images=0, image_size=(64, 80),
                              num_classes=4, hardship_runs=3, twin_classes=True,
                              motion_mix=(1.0, 1.0, 1.0), seed=1)
    frame_level = {(v, t) for k in ('motion_blur', 'defocus', 'noise')
                   for _, v, t in info['hardships'][k]}
    occluded = {(v, t) for _, v, t in info['hardships']['occlusion']}
    plain_per_frame, pending = {}, []
    for kind, value in events:
        if kind == 'paste':
            pending.append(value)
        else:
            rel = Path(value).relative_to(root / 'Data' / 'VID')
            plain_per_frame[(str(rel.parent), int(rel.stem))] = pending
            pending = []
    assert frame_level and occluded
    for key, plain in plain_per_frame.items():
        if key in frame_level:
            assert plain and all(plain), key
        elif key in occluded:
            assert sum(plain) == 1, key
        else:
            assert not any(plain), key
