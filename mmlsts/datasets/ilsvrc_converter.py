"""Convert an ILSVRC2015 VID/DET download into the CocoVID JSON files MMTracking reads.

Writes, into ``out_dir``:

* ``imagenet_vid_train.json`` - every frame of every training video; the key frames used for
  training are flagged ``is_vid_train_frame`` (15 per video).
* ``imagenet_vid_val.json`` - every frame of every validation video (no frame flagged).
* ``imagenet_det_30plus1cls.json`` - every DET training image; images holding one of the 30 VID
  classes are flagged ``is_vid_train_frame``; objects of the other 170 DET classes get category 31
  (``other_categeries``, spelled as MMTracking spells it).

All 30 VID categories are always listed (ids 1..30 in the official order), so subsets in which
some class has no object still load.

Frame lists. When ``<root>/Lists/VID_train_15frames.txt``, ``VID_val_videos.txt`` or
``DET_train_30classes.txt`` (the FGFA lists) exist they decide which videos / key frames / DET
images are used. Their frame numbers are read as 0-based frame indices, the way FGFA and MEGA
read them (``list_frame_base=1`` reproduces MMTracking's converter, which subtracts one). When a
list is absent it is derived from the annotations:

* training key frames: a video of ``N`` annotated frames (frame files sorted by number) is cut
  into 15 equal segments and the frame at each segment centre is taken, i.e. positions
  ``floor((2k + 1) * N / 30)`` for ``k = 0..14``; a 300-frame video gives 10, 30, ..., 290.
  For ``N >= 15`` these are 15 distinct frames; for ``N < 15`` positions repeat and the
  de-duplicated set is every frame of the video (a 1-frame video gives frame 0).
* validation: every video under ``Annotations/VID/val``.
* DET: every image whose XML holds at least one object of the 30 VID classes.

Videos and frames are found by listing the ``Annotations`` folders (ImageSets need not list every
frame); a JPEG is checked by listing its ``Data`` folder once per video / DET folder, not by a
``stat()`` per frame. ``frame_id`` is the position of a frame among the kept frames of its video
(MMTracking indexes a video's images by ``frame_id``, so ids must be 0..n-1 without gaps);
``file_name`` keeps the real frame number.

Bad input never stops the conversion unless ``strict=True``: each problem is logged as one
warning line ``<file>: <problem>`` and counted; the summary gives the count per kind.

* corrupt / truncated / unreadable XML, missing JPEG: the frame or image is dropped;
* a JPEG with no XML in a video folder: reported (nothing to convert);
* unknown class wnid (VID; a DET name that is not a wnid): the object is dropped;
* box outside the image: clipped to the image, reported; a box empty after clipping (or with
  ``xmax <= xmin``) is dropped;
* a video named in a Lists file but absent, or a list that disagrees with the annotations.

With ``strict=True`` the first problem raises :class:`ILSVRCFormatError` (a ``ValueError``)
naming the file. Each JSON is written to a temporary file in ``out_dir`` and moved into place with
``os.replace``, so an interrupted run never leaves a half-written or clobbered output.
Boxes use MMTracking's convention ``bbox = [xmin, ymin, xmax - xmin, ymax - ymin]``.
"""
from __future__ import annotations

import io
import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing import Pool
from typing import IO, Any

from tqdm import tqdm

from mmlsts.utils import atomic_write

__all__ = [
    'VID_CLASSES', 'VID_WNIDS', 'ILSVRCFormatError', 'convert_ilsvrc', 'derive_train_frames',
    'OUTPUT_NAMES',
]

logger = logging.getLogger(__name__)

VID_WNIDS: tuple[str, ...] = (
    'n02691156', 'n02419796', 'n02131653', 'n02834778', 'n01503061', 'n02924116', 'n02958343',
    'n02402425', 'n02084071', 'n02121808', 'n02503517', 'n02118333', 'n02510455', 'n02342885',
    'n02374451', 'n02129165', 'n01674464', 'n02484322', 'n03790512', 'n02324045', 'n02509815',
    'n02411705', 'n01726692', 'n02355227', 'n02129604', 'n04468005', 'n01662784', 'n04530566',
    'n02062744', 'n02391049')
VID_CLASSES: tuple[str, ...] = (
    'airplane', 'antelope', 'bear', 'bicycle', 'bird', 'bus', 'car', 'cattle', 'dog',
    'domestic_cat', 'elephant', 'fox', 'giant_panda', 'hamster', 'horse', 'lion', 'lizard',
    'monkey', 'motorcycle', 'rabbit', 'red_panda', 'sheep', 'snake', 'squirrel', 'tiger', 'train',
    'turtle', 'watercraft', 'whale', 'zebra')
WNID_TO_CAT: dict[str, int] = {w: i for i, w in enumerate(VID_WNIDS, 1)}
OTHER_CAT_ID = len(VID_WNIDS) + 1
OTHER_CAT_NAME = 'other_categeries'  # MMTracking's spelling, kept for drop-in compatibility
OUTPUT_NAMES: dict[str, str] = {
    'train': 'imagenet_vid_train.json',
    'val': 'imagenet_vid_val.json',
    'det': 'imagenet_det_30plus1cls.json',
}
LIST_NAMES: dict[str, str] = {
    'train': 'VID_train_15frames.txt',
    'val': 'VID_val_videos.txt',
    'det': 'DET_train_30classes.txt',
}
NUM_KEY_FRAMES = 15
_WNID_RE = re.compile(r'^n\d{8}$')
_JPEG = '.JPEG'


class ILSVRCFormatError(ValueError):
    """Bad ILSVRC input met under ``strict=True``; ``path`` names the offending file."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path = path
        self.problem = problem

    def __reduce__(self):  # keep it picklable across the worker pool
        return (type(self), (self.path, self.problem))


class _Bad(Exception):
    """Internal: an XML that cannot be used."""


# --------------------------------------------------------------------------------------------
# frame lists
# --------------------------------------------------------------------------------------------

def derive_train_frames(num_frames: int, num_key: int = NUM_KEY_FRAMES) -> list[int]:
    """Positions of the key frames of an ``num_frames``-frame video (segment centres, see top)."""
    if num_frames <= 0:
        return []
    return sorted({(2 * k + 1) * num_frames // (2 * num_key) for k in range(num_key)})


def _read_list(path: str) -> list[list[str]]:
    with open(path, encoding='utf-8') as f:
        return [line.split() for line in f if line.strip()]


def _load_lists(root: str, base: int) -> dict[str, Any]:
    """Parse the FGFA Lists files that exist; absent ones map to None (derive instead)."""
    lists: dict[str, Any] = {'train': None, 'val': None, 'det': None}
    folder = os.path.join(root, 'Lists')
    path = os.path.join(folder, LIST_NAMES['train'])
    if os.path.isfile(path):
        train: dict[str, tuple[set[int], int]] = {}
        for fields in _read_list(path):
            frames, _ = train.setdefault(fields[0], (set(), int(fields[-1])))
            frames.add(int(fields[2]) - base)
        lists['train'] = train
    path = os.path.join(folder, LIST_NAMES['val'])
    if os.path.isfile(path):
        lists['val'] = {f[0]: int(f[-1]) for f in _read_list(path)}
    path = os.path.join(folder, LIST_NAMES['det'])
    if os.path.isfile(path):
        lists['det'] = {f[0] for f in _read_list(path)}
    return lists


# --------------------------------------------------------------------------------------------
# XML parsing (runs in workers)
# --------------------------------------------------------------------------------------------

def _num(elem: ET.Element | None, tag: str) -> int:
    if elem is None:
        raise _Bad(f'missing <{tag}>')
    text = (elem.text or '').strip()
    try:
        return int(text)
    except ValueError:
        try:
            return int(round(float(text)))
        except ValueError:
            raise _Bad(f'<{tag}> is not a number: {text!r}') from None


def _parse_xml(path: str, with_track: bool) -> tuple[int, int, list[tuple]]:
    """Read one annotation XML -> (width, height, [(name, trackid, x1, y1, x2, y2, occ, gen)])."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise _Bad(f'corrupt or truncated XML ({e})') from None
    except OSError as e:
        raise _Bad(f'unreadable XML ({e.strerror or e})') from None
    size = root.find('size')
    if size is None:
        raise _Bad('corrupt XML (no <size>)')
    width, height = _num(size.find('width'), 'width'), _num(size.find('height'), 'height')
    if width <= 0 or height <= 0:
        raise _Bad(f'corrupt XML (image size {width}x{height})')
    objects = []
    for obj in root.iterfind('object'):
        name = obj.findtext('name')
        box = obj.find('bndbox')
        if not name or box is None:
            raise _Bad('corrupt XML (<object> without <name> or <bndbox>)')
        trackid = None
        occ = gen = False
        if with_track:
            trackid = obj.findtext('trackid')
            if trackid is None:
                raise _Bad('corrupt XML (<object> without <trackid>)')
            trackid = trackid.strip()
            occ = (obj.findtext('occluded') or '0').strip() == '1'
            gen = (obj.findtext('generated') or '0').strip() == '1'
        objects.append((name.strip(), trackid,
                        _num(box.find('xmin'), 'xmin'), _num(box.find('ymin'), 'ymin'),
                        _num(box.find('xmax'), 'xmax'), _num(box.find('ymax'), 'ymax'),
                        occ, gen))
    return width, height, objects


class _Problems:
    """Collects (kind, path, message) in a worker; raises at once when strict."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.items: list[tuple[str, str, str]] = []

    def add(self, kind: str, path: str, message: str) -> None:
        if self.strict:
            raise ILSVRCFormatError(path, message)
        self.items.append((kind, path, message))


def _check_box(obj: tuple, width: int, height: int, path: str, probs: _Problems):
    """Clip a box to the image; returns (x1, y1, x2, y2) or None when nothing is left."""
    x1, y1, x2, y2 = obj[2:6]
    cx1, cy1 = min(max(x1, 0), width), min(max(y1, 0), height)
    cx2, cy2 = min(max(x2, 0), width), min(max(y2, 0), height)
    outside = (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2)
    empty = cx2 <= cx1 or cy2 <= cy1
    desc = f'box [{x1}, {y1}, {x2}, {y2}] of {obj[0]}'
    if outside and empty:
        probs.add('box_dropped', path,
                  f'{desc} lies outside the {width}x{height} image; dropped')
        return None
    if empty:
        probs.add('box_dropped', path, f'degenerate {desc} (empty); dropped')
        return None
    if outside:
        probs.add('box_clipped', path,
                  f'{desc} extends outside the {width}x{height} image; clipped to '
                  f'[{cx1}, {cy1}, {cx2}, {cy2}]')
    return cx1, cy1, cx2, cy2


def _listdir(path: str) -> set[str] | None:
    try:
        return set(os.listdir(path))
    except OSError:
        return None


def _convert_video(task: tuple) -> dict:
    """Worker: parse the frames of one video.

    ``task`` = (ann_dir, data_dir, name, frame_stems, key_positions_or_frames, list_given, strict)
    Returns frames [(stem, w, h, is_key, [(cat, trackid, x1, y1, w, h, occ, gen)])] + problems.
    """
    ann_dir, data_dir, name, stems, keys, list_given, strict = task
    probs = _Problems(strict)
    jpegs = _listdir(data_dir)
    if jpegs is None:
        probs.add('missing_jpeg', data_dir,
                  f'image folder of video {name} is missing; video ({len(stems)} frames) dropped')
        return {'name': name, 'frames': [], 'problems': probs.items}
    if list_given:
        key_frames = {int(s) for s in stems if s.isdigit() and int(s) in keys}
    else:
        key_frames = {int(stems[p]) for p in keys if stems[p].isdigit()}
    frames = []
    for stem, xml_path, width, height, objects in _annotated_images(
            ann_dir, data_dir, stems, jpegs, True, probs, 'frame'):
        anns = [(cat, obj[1], box[0], box[1], box[2] - box[0], box[3] - box[1], obj[6], obj[7])
                for cat, obj, box in _usable_objects(objects, width, height, xml_path, probs,
                                                     det=False)]
        is_key = stem.isdigit() and int(stem) in key_frames
        frames.append((stem, width, height, is_key, anns))
    if jpegs:
        have = set(stems)
        for jpg in sorted(jpegs):
            if jpg.endswith(_JPEG) and jpg[:-len(_JPEG)] not in have:
                probs.add('missing_xml', os.path.join(data_dir, jpg),
                          'image has no annotation XML; not converted')
    return {'name': name, 'frames': frames, 'problems': probs.items}


def _annotated_images(ann_dir: str, data_dir: str, stems: list[str], jpegs: set,
                      with_track: bool, probs: _Problems, unit: str) -> Iterator[tuple]:
    """(stem, XML path, width, height, objects) of each stem whose XML parses and whose JPEG
    exists; any other stem is dropped as a ``unit`` (problem recorded)."""
    for stem in stems:
        xml_path = os.path.join(ann_dir, stem + '.xml')
        try:
            width, height, objects = _parse_xml(xml_path, with_track=with_track)
        except _Bad as e:
            probs.add('corrupt_xml', xml_path, f'{e}; {unit} dropped')
            continue
        if stem + _JPEG not in jpegs:
            probs.add('missing_jpeg', os.path.join(data_dir, stem + _JPEG),
                      f'image missing; {unit} dropped')
            continue
        yield stem, xml_path, width, height, objects


def _usable_objects(objects: list, width: int, height: int, xml_path: str, probs: _Problems,
                    det: bool) -> list[tuple[int, tuple, tuple]]:
    """(category id, parsed object, checked box) of each object of one XML worth keeping.

    In VID an object outside the 30 classes is dropped; in DET any WordNet id is kept, as the
    'other' class. A box that fails its checks is dropped (problem recorded) either way.
    """
    kept = []
    for obj in objects:
        cat = WNID_TO_CAT.get(obj[0])
        if cat is None and det and _WNID_RE.match(obj[0]):
            cat = OTHER_CAT_ID
        if cat is None:
            why = (f'unknown class {obj[0]!r} (not a WordNet id)' if det else
                   f'unknown class wnid {obj[0]!r} (not one of the 30 VID classes)')
            probs.add('unknown_class', xml_path, why + '; object dropped')
            continue
        box = _check_box(obj, width, height, xml_path, probs)
        if box is not None:
            kept.append((cat, obj, box))
    return kept


def _convert_det_dir(task: tuple) -> dict:
    """Worker: parse the DET XMLs of one folder.

    ``task`` = (ann_dir, data_dir, rel_dir, stems, listed_or_None, strict)
    Returns images [(rel_path, w, h, is_vid, [(cat, x1, y1, w, h)])] + problems.
    """
    ann_dir, data_dir, rel_dir, stems, listed, strict = task
    probs = _Problems(strict)
    jpegs = _listdir(data_dir)
    if jpegs is None:
        probs.add('missing_jpeg', data_dir,
                  f'DET image folder is missing; {len(stems)} images dropped')
        return {'images': [], 'problems': probs.items}
    images = []
    for stem, xml_path, width, height, objects in _annotated_images(
            ann_dir, data_dir, stems, jpegs, False, probs, 'image'):
        anns = [(cat, box[0], box[1], box[2] - box[0], box[3] - box[1])
                for cat, _, box in _usable_objects(objects, width, height, xml_path, probs,
                                                   det=True)]
        rel = f'{rel_dir}/{stem}'
        if listed is None:
            is_vid = any(a[0] != OTHER_CAT_ID for a in anns)
        else:
            is_vid = rel in listed
        images.append((rel, width, height, is_vid, anns))
    return {'images': images, 'problems': probs.items}


# --------------------------------------------------------------------------------------------
# discovery
# --------------------------------------------------------------------------------------------

def _scan_tree(top: str, rel: str = '') -> Iterator[tuple[str, list[str]]]:
    """Yield (relative dir, sorted xml stems) for every folder under ``top`` holding XMLs."""
    try:
        entries = sorted(os.scandir(os.path.join(top, rel) if rel else top),
                         key=lambda e: e.name)
    except OSError:
        return
    stems = [e.name[:-4] for e in entries if e.name.endswith('.xml') and e.is_file()]
    if stems:
        yield rel, stems
    for e in entries:
        if e.is_dir():
            yield from _scan_tree(top, f'{rel}/{e.name}' if rel else e.name)


def _sort_stems(stems: list[str]) -> list[str]:
    return sorted(stems, key=lambda s: (0, int(s), s) if s.isdigit() else (1, 0, s))


# --------------------------------------------------------------------------------------------
# JSON output
# --------------------------------------------------------------------------------------------

_encode_item: Callable[[Any], str] = json.JSONEncoder(separators=(',', ':')).encode


def _write_json_atomic(path: str, sections: Sequence[tuple[str, Iterable[Any]]]) -> None:
    """Stream ``{key: [items...]}`` into ``path`` through :func:`mmlsts.utils.atomic_write`."""
    def write(f: IO[bytes]) -> None:
        text = io.TextIOWrapper(f, encoding='utf-8')
        _stream_sections(text, sections)
        text.flush()
        os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; the usual permissions
        os.fsync(f.fileno())
        text.detach()  # atomic_write closes f

    atomic_write(path, write)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _stream_sections(f: IO[str], sections: Sequence[tuple[str, Iterable[Any]]]) -> None:
    f.write('{')
    for i, (key, items) in enumerate(sections):
        f.write(('' if i == 0 else ',\n') + json.dumps(key) + ':[')
        for j, item in enumerate(items):
            f.write(('\n' if j == 0 else ',\n') + _encode_item(item))
        f.write(']')
    f.write('}\n')


def _categories(with_other: bool) -> list[dict]:
    cats = [dict(id=i, name=n, encode_name=w)
            for i, (n, w) in enumerate(zip(VID_CLASSES, VID_WNIDS), 1)]
    if with_other:
        cats.append(dict(id=OTHER_CAT_ID, name=OTHER_CAT_NAME, encode_name=None))
    return cats


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------

def _run(fn: Callable[[tuple], dict], tasks: list[tuple], workers: int, total: int,
         desc: str, progress: bool, sizes: list[int]) -> Iterator[dict]:
    """Map ``fn`` over ``tasks`` in order (pool when workers > 1), with a frame progress bar."""
    bar = tqdm(total=total, desc=desc, unit='img', disable=not progress, dynamic_ncols=True)
    try:
        if workers > 1 and len(tasks) > 1:
            with Pool(min(workers, len(tasks))) as pool:
                for size, res in zip(sizes, pool.imap(fn, tasks, chunksize=1)):
                    bar.update(size)
                    yield res
        else:
            for size, task in zip(sizes, tasks):
                res = fn(task)
                bar.update(size)
                yield res
    finally:
        bar.close()


def _report(problems: list[tuple[str, str, str]], counter: Counter) -> None:
    for kind, path, message in problems:
        counter[kind] += 1
        logger.warning('%s: %s', path, message)


def _convert_vid_split(root: str, out_path: str, split: str, listing: dict | None,
                       workers: int, strict: bool, progress: bool) -> dict:
    ann_top = os.path.join(root, 'Annotations', 'VID', split)
    data_top = os.path.join(root, 'Data', 'VID', split)
    if not os.path.isdir(ann_top):
        raise FileNotFoundError(f'{ann_top}: no VID {split} annotation folder')
    counter: Counter = Counter()
    found = {f'{split}/{rel}': _sort_stems(stems) for rel, stems in _scan_tree(ann_top)}
    if listing is not None:
        names = []
        for name in sorted(listing):
            if name in found:
                names.append(name)
                continue
            problem = (split, os.path.join(root, 'Lists', LIST_NAMES[split]),
                       f'lists video {name} which has no annotations under {ann_top}; skipped')
            if strict:
                raise ILSVRCFormatError(problem[1], problem[2])
            _report([('missing_listed', problem[1], problem[2])], counter)
    else:
        names = sorted(found)
    tasks, sizes = [], []
    for name in names:
        stems = found[name]
        rel = name[len(split) + 1:]
        given = None
        if split == 'train' and listing is not None:
            given, n_listed = listing[name]
        elif split == 'val' and listing is not None:
            n_listed = listing[name]
        if listing is not None and n_listed != len(stems):
            msg = (f'lists {n_listed} frames for {name} but {len(stems)} annotation XMLs '
                   'exist; using the XMLs')
            lpath = os.path.join(root, 'Lists', LIST_NAMES[split])
            if strict:
                raise ILSVRCFormatError(lpath, msg)
            _report([('list_mismatch', lpath, msg)], counter)
        if split == 'train':
            keys = given if given is not None else derive_train_frames(len(stems))
        else:
            keys = set()
        tasks.append((os.path.join(ann_top, rel), os.path.join(data_top, rel), name, stems,
                      keys, split != 'train' or given is not None, strict))
        sizes.append(len(stems))

    videos, images, anns = [], [], []
    n_key = n_empty = 0
    per_class: Counter = Counter()
    instance_id = 0
    for res in _run(_convert_video, tasks, workers, sum(sizes), f'VID {split}', progress, sizes):
        _report(res['problems'], counter)
        frames = res['frames']
        if not frames:
            continue
        vid_id = len(videos) + 1
        key_ids = []
        track_map: dict[str, int] = {}
        for frame_id, (stem, width, height, is_key, objs) in enumerate(frames):
            img_id = len(images) + 1
            if is_key:
                key_ids.append(frame_id)
            images.append(dict(file_name=f'{res["name"]}/{stem}{_JPEG}', height=height,
                               width=width, id=img_id, frame_id=frame_id, video_id=vid_id,
                               is_vid_train_frame=is_key))
            n_empty += not objs
            for cat, trackid, x, y, w, h, occ, gen in objs:
                if trackid not in track_map:
                    instance_id += 1
                    track_map[trackid] = instance_id
                per_class[cat] += 1
                anns.append(dict(id=len(anns) + 1, video_id=vid_id, image_id=img_id,
                                 category_id=cat, instance_id=track_map[trackid],
                                 bbox=[x, y, w, h], area=w * h, iscrowd=False,
                                 occluded=occ, generated=gen))
        n_key += len(key_ids)
        videos.append(dict(id=vid_id, name=res['name'], vid_train_frames=key_ids))

    _write_json_atomic(out_path, [('categories', _categories(False)), ('videos', videos),
                                  ('images', images), ('annotations', anns)])
    return dict(videos=len(videos), frames=len(images), key_frames=n_key, boxes=len(anns),
                instances=instance_id, empty_frames=n_empty,
                classes=sorted(VID_CLASSES[c - 1] for c in per_class),
                boxes_per_class={VID_CLASSES[c - 1]: n for c, n in sorted(per_class.items())},
                problems=sum(counter.values()), problem_kinds=dict(sorted(counter.items())),
                output=out_path)


def _convert_det(root: str, out_path: str, listing: set | None, workers: int, strict: bool,
                 progress: bool) -> dict:
    ann_top = os.path.join(root, 'Annotations', 'DET', 'train')
    data_top = os.path.join(root, 'Data', 'DET', 'train')
    if not os.path.isdir(ann_top):
        raise FileNotFoundError(f'{ann_top}: no DET train annotation folder')
    counter: Counter = Counter()
    tasks, sizes = [], []
    for rel, stems in _scan_tree(ann_top):
        rel_dir = f'train/{rel}' if rel else 'train'
        tasks.append((os.path.join(ann_top, rel), os.path.join(data_top, rel), rel_dir, stems,
                      listing, strict))
        sizes.append(len(stems))
    images, anns = [], []
    per_class: Counter = Counter()
    n_vid = 0
    seen: set[str] = set()
    for res in _run(_convert_det_dir, tasks, workers, sum(sizes), 'DET train', progress, sizes):
        _report(res['problems'], counter)
        for rel, width, height, is_vid, objs in res['images']:
            img_id = len(images) + 1
            seen.add(rel)
            n_vid += is_vid
            images.append(dict(file_name=rel + _JPEG, height=height, width=width, id=img_id,
                               is_vid_train_frame=is_vid))
            for cat, x, y, w, h in objs:
                per_class[cat] += 1
                anns.append(dict(id=len(anns) + 1, image_id=img_id, category_id=cat,
                                 bbox=[x, y, w, h], area=w * h, iscrowd=False))
    if listing is not None:
        lpath = os.path.join(root, 'Lists', LIST_NAMES['det'])
        for rel in sorted(listing - seen):
            msg = f'lists DET image {rel} which has no usable annotation; skipped'
            if strict:
                raise ILSVRCFormatError(lpath, msg)
            _report([('missing_listed', lpath, msg)], counter)
    _write_json_atomic(out_path, [('categories', _categories(True)), ('images', images),
                                  ('annotations', anns)])
    names = {**{i: n for i, n in enumerate(VID_CLASSES, 1)}, OTHER_CAT_ID: OTHER_CAT_NAME}
    return dict(images=len(images), vid_images=n_vid, boxes=len(anns),
                vid_boxes=sum(n for c, n in per_class.items() if c != OTHER_CAT_ID),
                classes=sorted(VID_CLASSES[c - 1] for c in per_class if c != OTHER_CAT_ID),
                boxes_per_class={names[c]: n for c, n in sorted(per_class.items())},
                problems=sum(counter.values()), problem_kinds=dict(sorted(counter.items())),
                output=out_path)


def _check_out_dir(root: str, out_dir: str) -> None:
    """Refuse to write into the input trees (the outputs must never replace input files)."""
    out_real = os.path.realpath(out_dir)
    for sub in ('Data', 'Annotations', 'ImageSets', 'Lists'):
        top = os.path.realpath(os.path.join(root, sub))
        if out_real == top or out_real.startswith(top + os.sep):
            raise ValueError(f'{out_dir}: output folder lies inside the input tree {top}')


def convert_ilsvrc(root: str, out_dir: str, workers: int = 1, strict: bool = False,
                   splits: Sequence[str] = ('train', 'val', 'det'), progress: bool = True,
                   list_frame_base: int = 0) -> dict[str, Any]:
    """Convert ``root`` (an ``ILSVRC/`` folder) into MMTracking's CocoVID JSON files.

    Args:
        root: folder holding ``Data/``, ``Annotations/`` (and optionally ``ImageSets/``,
            ``Lists/``).
        out_dir: where the JSON files go (created if needed; not inside the input trees).
        workers: processes parsing videos / DET folders in parallel (1 = in this process).
        strict: raise :class:`ILSVRCFormatError` at the first bad input instead of skipping it.
        splits: any of ``'train'``, ``'val'``, ``'det'``.
        progress: show tqdm progress bars.
        list_frame_base: number of the first frame in ``VID_train_15frames.txt`` (0 as in
            FGFA/MEGA; 1 reproduces MMTracking's converter).

    Returns:
        ``{split: stats}`` with ``videos/frames/key_frames/boxes/instances/empty_frames/classes/
        boxes_per_class/problems/problem_kinds/output`` for VID splits, ``images/vid_images/
        boxes/vid_boxes/classes/boxes_per_class/problems/problem_kinds/output`` for ``det``,
        plus ``'problems'``: the total count.
    """
    unknown = set(splits) - set(OUTPUT_NAMES)
    if unknown:
        raise ValueError(f'unknown split(s) {sorted(unknown)}; choose from train, val, det')
    if not os.path.isdir(root):
        raise FileNotFoundError(f'{root}: ILSVRC root folder not found')
    _check_out_dir(root, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    lists = _load_lists(root, list_frame_base)
    stats: dict[str, Any] = {}
    for split in ('train', 'val', 'det'):
        if split not in splits:
            continue
        out_path = os.path.join(out_dir, OUTPUT_NAMES[split])
        if split == 'det':
            s = _convert_det(root, out_path, lists['det'], workers, strict, progress)
        else:
            s = _convert_vid_split(root, out_path, split, lists[split], workers, strict,
                                   progress)
        s['derived_list'] = lists[split] is None
        stats[split] = s
        kinds = ', '.join(f'{k}={n}' for k, n in s['problem_kinds'].items())
        if s['problems']:
            logger.warning('ILSVRC %s: %d problem(s) (%s); see the lines above', split,
                           s['problems'], kinds)
    stats['problems'] = sum(s['problems'] for s in stats.values())
    return stats
