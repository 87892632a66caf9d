"""Generate a small synthetic video set in the exact ILSVRC2015 VID/DET layout.

Why: the real ImageNet VID is 86 GB; tests, the converter and a tiny end-to-end training run need
a set that is made in seconds, is byte-identical for a seed, and still has what video detection
is about: objects that move, change scale, leave and re-enter the frame (keeping their
``trackid``), and frames that are hard on their own but easy with temporal context.

Contents of ``root`` (the same layout as ``data/ILSVRC``, see ``docs/data.md``)::

    Data/VID/{train/ILSVRC2015_VID_train_0000/ILSVRC2015_train_%08d,val/ILSVRC2015_val_%08d}/
        %06d.JPEG
    Annotations/VID/<same>/%06d.xml          one per frame; trackid/occluded/generated
    ImageSets/VID/train_1..30.txt, val.txt
    Data/DET/train/{ILSVRC2014_train_0000/ILSVRC2014_train_%08d,
                    ILSVRC2013_train/<wnid>/<wnid>_%d}.JPEG  (+ Annotations/DET, ImageSets/DET)
    Lists/VID_train_15frames.txt, VID_val_videos.txt, DET_train_30classes.txt  (write_lists)
    synthetic_info.json                       the returned stats, incl. the hardship frames

Class ``c`` (the ``c``-th VID wnid) is a textured sprite of its own shape, texture and colour.
Per video, every object follows smooth sinusoidal paths in position and scale over a slowly
panning textured background; the first object of every other video swings fully out of the frame
and back. A box is annotated when at least 4x4 pixels of it are inside the image, so frames
where nothing is visible have no ``<object>``. Every video has ``hardship_frames`` frames of each
hardship: ``motion_blur`` (linear blur kernel on the frame), ``occlusion`` (a distractor patch
over 30-60 % of one object, which gets ``occluded=1``), ``defocus`` (gaussian blur) and
``rare_pose`` (one object drawn rotated 90 degrees or upside down). Objects overlapping an object
drawn later by more than a quarter of their area are also marked occluded.

Options for a set on which temporal context matters (the synthetic benchmark's preset, in
``projects/synthetic_benchmark``, sets them): heavy hardships (diagonal blur 26-38 px,
occluders over 70-90 % of the object, defocus sigma 6-8, fine and blotchy noise) in episodes
of 3-6 consecutive frames with clean neighbours (``hardship_runs``), objects drawn slow, medium
or fast (``motion_mix``), and twin classes that differ only in the orientation of 4 coarse
bands, which an object loses in the frames of an episode that hits it (``twin_classes``).
"""
from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from .ilsvrc_converter import LIST_NAMES, VID_CLASSES, VID_WNIDS, derive_train_frames

__all__ = ['make_synthetic_vid', 'HARDSHIPS', 'INFO_NAME', 'MOTIONS', 'OTHER_DET_WNID']

HARDSHIPS = ('motion_blur', 'occlusion', 'defocus', 'rare_pose', 'noise')
_SINGLE_FRAME_KINDS = HARDSHIPS[:4]  # hardship_frames mode (the quick-start set): no 'noise'
# hardship_runs mode (the benchmark): no 'rare_pose', which turns a twin class's bands into its
# twin's (a frame that misleads instead of a frame that has lost its detail).
_RUN_KINDS = ('motion_blur', 'occlusion', 'defocus', 'noise')
MOTIONS = ('slow', 'medium', 'fast')
# Mean speed of an object's box centre per frame, as a fraction of its side, and the amplitude of
# its scale oscillation, by motion group. Chosen so that FGFA's motion IoU (mean IoU with the
# same object's boxes up to 10 frames away) falls mostly in that group: slow >= 0.9, medium
# 0.7-0.9, fast < 0.7 (docs/data.md has the measured shares).
_MOTION_SPEED = {'slow': ((0.0, 0.004), (0.0, 0.01)), 'medium': ((0.012, 0.022), (0.02, 0.05)),
                 'fast': ((0.045, 0.1), (0.1, 0.25))}
# How hard a hard frame is. _LIGHT: the quick-start's single hard frames (hardship_frames),
# blurred in any direction.
_LIGHT = dict(blur_len=(7, 13), blur_angle=None, occlusion=(0.3, 0.6), defocus=(1.5, 3.0))
# _HEAVY: the episodes of hardship_runs, strong enough to defeat one frame.
# The twin classes' bands have a period of half the object's side (_TWIN_BAND): the blur runs
# diagonally so that it smears both orientations, over about one period along each axis.
# The noise has a coarse part, blotches of 4 x 4 pixels about the size of a band, that hides
# the bands where fine noise alone would average out.
_HEAVY = dict(blur_len=(26, 38), blur_angle=(math.pi / 6, math.pi / 3), occlusion=(0.7, 0.9),
              defocus=(6.0, 8.0), noise=(35.0, 50.0), blotch=(70.0, 90.0))
_TWIN_BAND = 16  # sprite pixels per band of a twin class (4 bands across the object)
OTHER_DET_WNID = 'n00007846'  # "person": a DET class that is not a VID class
INFO_NAME = 'synthetic_info.json'
_SPRITE = 64
_MIN_VISIBLE = 4
_TRAIN_CHUNK = 'ILSVRC2015_VID_train_{:04d}'
_PALETTE = (  # BGR, well separated hues
    (40, 40, 220), (40, 200, 40), (220, 80, 30), (30, 210, 230), (200, 40, 200),
    (220, 200, 40), (20, 120, 240), (150, 240, 120), (240, 130, 170), (90, 30, 140))
_NUM_SHAPES = 6
_NUM_TEXTURES = 6


# --------------------------------------------------------------------------------------------
# appearance
# --------------------------------------------------------------------------------------------

def _shape_mask(shape: int, size: int = _SPRITE) -> np.ndarray:
    """Binary mask of a shape touching all four borders of a size x size canvas."""
    m = np.zeros((size, size), np.uint8)
    s = size - 1
    if shape == 0:  # disc
        cv2.circle(m, (size // 2, size // 2), size // 2, 1, -1)
    elif shape == 1:  # square
        m[:] = 1
    elif shape == 2:  # triangle
        cv2.fillPoly(m, [np.array([[s // 2, 0], [s, s], [0, s]], np.int32)], 1)
    elif shape == 3:  # diamond
        cv2.fillPoly(m, [np.array([[s // 2, 0], [s, s // 2], [s // 2, s], [0, s // 2]],
                                  np.int32)], 1)
    elif shape == 4:  # cross
        t = size // 3
        m[t:size - t, :] = 1
        m[:, t:size - t] = 1
    else:  # ring
        cv2.circle(m, (size // 2, size // 2), size // 2, 1, -1)
        cv2.circle(m, (size // 2, size // 2), size // 4, 0, -1)
    return m


def _texture(kind: int, size: int = _SPRITE) -> np.ndarray:
    """Two-level pattern in {0, 1}."""
    y, x = np.mgrid[0:size, 0:size]
    if kind == 0:
        t = (y // 8) % 2
    elif kind == 1:
        t = (x // 8) % 2
    elif kind == 2:
        t = (x // 10 + y // 10) % 2
    elif kind == 3:
        t = (((x % 12) - 6) ** 2 + ((y % 12) - 6) ** 2 < 12).astype(int)
    elif kind == 4:
        t = ((x + y) // 8) % 2
    else:
        t = (np.hypot(x - size / 2, y - size / 2) // 6) % 2
    return t.astype(np.float32)


def _class_sprite(c: int, twins: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(BGR float32 image, mask) of class index ``c``; a unique (shape, texture, colour) each.

    With ``twins``, classes 2i and 2i + 1 share shape and colour and differ only in the
    orientation of 4 high-contrast bands (horizontal / vertical): plain on a clean frame, lost
    to the benchmark's blur, defocus, noise or occluder, so a degraded frame can find the
    object but not tell its class.
    """
    if twins:
        base = c // 2
        colour = np.array(_PALETTE[base % len(_PALETTE)], np.float32)
        y, x = np.mgrid[0:_SPRITE, 0:_SPRITE]
        bands = ((x if c % 2 else y) // _TWIN_BAND) % 2
        img = colour * (0.2 + 0.8 * bands.astype(np.float32))[..., None]
        return img, _shape_mask(base % _NUM_SHAPES).astype(np.float32)
    colour = np.array(_PALETTE[c % len(_PALETTE)], np.float32)
    tex = _texture((c + c // _NUM_SHAPES) % _NUM_TEXTURES)
    img = colour * (0.45 + 0.55 * tex)[..., None]
    return img, _shape_mask(c % _NUM_SHAPES).astype(np.float32)


def _other_sprite() -> tuple[np.ndarray, np.ndarray]:
    """A grey hexagon-ish blob for the non-VID DET class."""
    m = np.zeros((_SPRITE, _SPRITE), np.uint8)
    cv2.ellipse(m, (_SPRITE // 2, _SPRITE // 2), (_SPRITE // 2, _SPRITE // 3), 0, 0, 360, 1, -1)
    img = np.full((_SPRITE, _SPRITE, 3), 128, np.float32) * (0.7 + 0.3 * _texture(5))[..., None]
    return img, m.astype(np.float32)


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth, muted clutter: grey-level blobs with a faint colour cast (float32 BGR)."""
    small = rng.random((max(2, h // 16), max(2, w // 16), 4), dtype=np.float32)
    bg = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    base = 110 + rng.uniform(-20, 20, size=3).astype(np.float32)
    return np.clip(base + (bg[..., :1] - 0.5) * 100 + (bg[..., 1:] - 0.5) * 25, 0, 255)


def _paste(frame: np.ndarray, sprite: tuple[np.ndarray, np.ndarray], box: tuple[int, ...],
           gain: float, pose: int) -> None:
    """Draw ``sprite`` resized to ``box`` (x1, y1, x2, y2, exclusive) into ``frame`` in place.

    pose: 0 upright, 1 rotated 90 degrees, 2 upside down.
    """
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    if bw < 1 or bh < 1:
        return
    img, mask = sprite
    if pose == 1:
        img = np.rot90(cv2.resize(img, (bh, bw), interpolation=cv2.INTER_AREA))
        mask = np.rot90(cv2.resize(mask, (bh, bw), interpolation=cv2.INTER_AREA))
    else:
        img = cv2.resize(img, (bw, bh), interpolation=cv2.INTER_AREA)
        mask = cv2.resize(mask, (bw, bh), interpolation=cv2.INTER_AREA)
        if pose == 2:
            img, mask = img[::-1], mask[::-1]
    fh, fw = frame.shape[:2]
    cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x2, fw), min(y2, fh)
    if cx2 <= cx1 or cy2 <= cy1:
        return
    sub_i = img[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1] * gain
    sub_m = mask[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1, None]
    region = frame[cy1:cy2, cx1:cx2]
    region[:] = region * (1 - sub_m) + sub_i * sub_m


def _visible(box: tuple[int, ...], h: int, w: int) -> tuple[int, int, int, int] | None:
    """ILSVRC (inclusive) box of the in-image part of ``box``, or None if under 4x4 pixels."""
    x1, y1 = max(box[0], 0), max(box[1], 0)
    x2, y2 = min(box[2], w) - 1, min(box[3], h) - 1
    if x2 - x1 + 1 < _MIN_VISIBLE or y2 - y1 + 1 < _MIN_VISIBLE:
        return None
    return x1, y1, x2, y2


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = math.cos(angle) * c, math.sin(angle) * c
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1)
    return k / k.sum()


# --------------------------------------------------------------------------------------------
# XML / files
# --------------------------------------------------------------------------------------------

def _xml(folder: str, filename: str, w: int, h: int, objects: list[dict], database: str) -> str:
    parts = ['<annotation>', f'\t<folder>{folder}</folder>', f'\t<filename>{filename}</filename>',
             f'\t<source>\n\t\t<database>{database}</database>\n\t</source>',
             f'\t<size>\n\t\t<width>{w}</width>\n\t\t<height>{h}</height>\n\t</size>']
    for o in objects:
        x1, y1, x2, y2 = o['box']
        lines = ['\t<object>']
        if 'trackid' in o:
            lines.append(f'\t\t<trackid>{o["trackid"]}</trackid>')
        lines.append(f'\t\t<name>{o["wnid"]}</name>')
        lines.append(f'\t\t<bndbox>\n\t\t\t<xmax>{x2}</xmax>\n\t\t\t<xmin>{x1}</xmin>\n'
                     f'\t\t\t<ymax>{y2}</ymax>\n\t\t\t<ymin>{y1}</ymin>\n\t\t</bndbox>')
        if 'trackid' in o:
            lines.append(f'\t\t<occluded>{int(o["occluded"])}</occluded>')
            lines.append('\t\t<generated>0</generated>')
        lines.append('\t</object>')
        parts.extend(lines)
    parts.append('</annotation>\n')
    return '\n'.join(parts)


def _write(path: str, data: bytes | str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode('utf-8') if isinstance(data, str) else data)


def _jpeg(frame: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode('.jpg', np.clip(frame, 0, 255).astype(np.uint8),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('JPEG encoding failed')
    return buf.tobytes()


# --------------------------------------------------------------------------------------------
# videos
# --------------------------------------------------------------------------------------------

def _plan_video(rng: np.random.Generator, v: int, n: int, h: int, w: int, num_classes: int,
                max_objects: int, motion_mix: tuple[float, ...] | None = None) -> list[dict]:
    """Per-object trajectory parameters; object 0 of every other video leaves and comes back.

    With ``motion_mix`` (probabilities of slow, medium, fast) each object's motion group is
    drawn from it and sets its speed (``_MOTION_SPEED``); nobody leaves the frame on purpose.
    """
    if motion_mix is not None:
        return [_plan_object(rng, v, j, n, h, w, num_classes, motion_mix)
                for j in range(int(rng.integers(1, max_objects + 1)))]
    objs = []
    for j in range(int(rng.integers(1, max_objects + 1))):
        cls = (v + 2 * j) % num_classes if j == 0 else int(rng.integers(num_classes))
        side = rng.uniform(0.22, 0.4) * min(h, w)
        aspect = rng.uniform(0.75, 1.33)
        bw, bh = side * math.sqrt(aspect), side / math.sqrt(aspect)
        leaves = j == 0 and v % 2 == 0
        ax = (w / 2 + 0.75 * bw) if leaves else rng.uniform(0.1, 0.3) * w
        objs.append(dict(
            cls=cls, bw=bw, bh=bh, leaves=leaves, gain=rng.uniform(0.85, 1.15),
            ax=ax, tx=n * rng.uniform(0.6, 0.9) if leaves else n * rng.uniform(0.8, 2.5),
            px=rng.uniform(0, 2 * math.pi),
            ay=rng.uniform(0.05, 0.25) * h, ty=n * rng.uniform(0.8, 2.5),
            py=rng.uniform(0, 2 * math.pi),
            sa=rng.uniform(0.1, 0.3), ts=n * rng.uniform(0.7, 2.0),
            ps=rng.uniform(0, 2 * math.pi)))
    return objs


def _plan_object(rng: np.random.Generator, v: int, j: int, n: int, h: int, w: int,
                 num_classes: int, motion_mix: tuple[float, ...]) -> dict:
    """One object of a ``motion_mix`` video: a straight back-and-forth path of a set speed."""
    cls = (v + 2 * j) % num_classes if j == 0 else int(rng.integers(num_classes))
    motion = MOTIONS[int(rng.choice(len(MOTIONS), p=np.asarray(motion_mix) / sum(motion_mix)))]
    (s_lo, s_hi), (a_lo, a_hi) = _MOTION_SPEED[motion]
    side = rng.uniform(0.22, 0.4) * min(h, w)
    aspect = rng.uniform(0.75, 1.33)
    bw, bh = side * math.sqrt(aspect), side / math.sqrt(aspect)
    period = n * rng.uniform(1.0, 2.0)
    amplitude = rng.uniform(s_lo, s_hi) * side * period / 4  # mean |speed| of a sine: 4A / T
    angle = rng.uniform(0, 2 * math.pi)
    return dict(
        cls=cls, bw=bw, bh=bh, leaves=False, gain=rng.uniform(0.85, 1.15), motion=motion,
        ax=amplitude * math.cos(angle), tx=period, px=rng.uniform(0, 2 * math.pi),
        ay=amplitude * math.sin(angle), ty=period, py=None,
        sa=rng.uniform(a_lo, a_hi), ts=n * rng.uniform(0.7, 2.0), ps=rng.uniform(0, 2 * math.pi),
        cx=w / 2 + rng.uniform(-0.15, 0.15) * w, cy=h / 2 + rng.uniform(-0.15, 0.15) * h)


def _obj_box(o: dict, t: int, h: int, w: int) -> tuple[int, int, int, int]:
    s = 1 + o['sa'] * math.sin(2 * math.pi * t / o['ts'] + o['ps'])
    if o.get('py', 0) is None:  # motion_mix: one phase, x and y move along one line
        phase = math.sin(2 * math.pi * t / o['tx'] + o['px'])
        cx, cy = o['cx'] + o['ax'] * phase, o['cy'] + o['ay'] * phase
    else:
        cx = w / 2 + o['ax'] * math.sin(2 * math.pi * t / o['tx'] + o['px'])
        cy = h / 2 + o['ay'] * math.sin(2 * math.pi * t / o['ty'] + o['py'])
    bw, bh = o['bw'] * s, o['bh'] * s
    return (round(cx - bw / 2), round(cy - bh / 2), round(cx + bw / 2), round(cy + bh / 2))


def _pick(rng: np.random.Generator, candidates: list[int], k: int) -> list[int]:
    if not candidates or k <= 0:
        return []
    k = min(k, len(candidates))
    return sorted(int(i) for i in rng.choice(candidates, size=k, replace=False))


def _plan_single_frames(rng: np.random.Generator, n: int, frames_per_kind: int,
                        vis: list[list]) -> dict[str, dict]:
    """``frames_per_kind`` single frames of each quick-start hardship (occlusion and rare pose
    on frames with a visible object). {kind: {frame: None}}: the object an occlusion hits is
    drawn when the frame is rendered."""
    with_obj = [t for t in range(n) if any(b is not None for b in vis[t])]
    plan: dict[str, dict] = {
        k: dict.fromkeys(_pick(rng, with_obj if k in ('occlusion', 'rare_pose') else list(range(n)),
                               frames_per_kind)) for k in _SINGLE_FRAME_KINDS}
    plan['noise'] = {}
    return plan


def _plan_runs(rng: np.random.Generator, n: int, runs: int, vis: list[list]) -> dict[str, dict]:
    """``runs`` episodes of 3-6 consecutive frames of one hardship each, at least 3 clean frames
    apart, kinds taken in turn from a shuffled list. {kind: {frame: object index or -1}}; the
    occluded object is the same through an episode wherever it is visible."""
    plan: dict[str, dict] = {k: {} for k in HARDSHIPS}
    kinds = [_RUN_KINDS[int(i)] for i in rng.permutation(len(_RUN_KINDS))]
    taken = np.zeros(n, bool)
    for r in range(runs):
        length = int(rng.integers(3, 7))
        starts = [t for t in range(0, n - length + 1)
                  if not taken[max(0, t - 3):t + length + 3].any()]
        if not starts:
            break
        start = int(rng.choice(starts))
        kind = kinds[r % len(kinds)]
        visible = [i for i, b in enumerate(vis[start]) if b is not None]
        obj = int(rng.choice(visible)) if visible else -1
        for t in range(start, start + length):
            if kind == 'occlusion':
                here = obj if obj >= 0 and vis[t][obj] is not None else -1
                if here < 0:
                    continue
                plan[kind][t] = here
            else:
                plan[kind][t] = -1
            taken[t] = True
    return plan


@dataclass(frozen=True)
class _VideoSettings:
    """What every video of a set shares (see :func:`make_synthetic_vid`)."""

    frames: int
    height: int
    width: int
    num_classes: int
    max_objects: int
    hardship_frames: int
    hardship_runs: int
    motion_mix: tuple[float, ...] | None
    quality: int
    sprites: list
    plain: list | None  # twins without their bands, drawn where a hardship episode hits them


def _make_video(rng: np.random.Generator, root: str, split: str, rel: str, v: int,
                cfg: _VideoSettings, hardships: dict[str, list], motions: list | None) -> dict:
    """Render one video; returns {'frames', 'boxes', 'empty', 'classes'}.

    The hardships are planned first (single frames, or episodes with ``hardship_runs``), then
    every frame is drawn by the one renderer. With ``plain`` sprites, the objects an episode
    hits (every object under blur, defocus or noise, the occluded one) are drawn plain: the
    frame has lost the twin detail, whatever is left of the frame.
    """
    n, h, w = cfg.frames, cfg.height, cfg.width
    objs = _plan_video(rng, v, n, h, w, cfg.num_classes, cfg.max_objects, cfg.motion_mix)
    pad = max(8, w // 8)
    bg = _background(rng, h + 2 * pad, w + 2 * pad)
    pan = rng.uniform(0, 2 * math.pi, size=2)
    boxes = [[_obj_box(o, t, h, w) for o in objs] for t in range(n)]
    vis = [[_visible(b, h, w) for b in frame] for frame in boxes]
    if cfg.hardship_runs:
        plan, hardness = _plan_runs(rng, n, cfg.hardship_runs, vis), _HEAVY
    else:
        plan, hardness = _plan_single_frames(rng, n, cfg.hardship_frames, vis), _LIGHT
    video = f'{split}/{rel}'
    for k, frames in plan.items():
        hardships[k].extend([split, video, t] for t in sorted(frames))
    if motions is not None:
        motions.extend([split, video, i, o.get('motion', 'legacy')] for i, o in enumerate(objs))
    stats = dict(frames=n, boxes=0, empty=0, classes=set())
    folder = rel if split == 'train' else rel.split('/')[-1]
    for t in range(n):
        ox = int(pad + pad * 0.9 * math.sin(2 * math.pi * t / max(n, 2) + pan[0]))
        oy = int(pad + pad * 0.9 * math.sin(2 * math.pi * t / max(n, 2) * 0.7 + pan[1]))
        frame = bg[oy:oy + h, ox:ox + w].copy()
        occluded = [False] * len(objs)
        pose_obj, pose_kind = -1, 0
        if t in plan['rare_pose']:
            pose_obj = int(rng.choice([i for i, b in enumerate(vis[t]) if b is not None]))
            pose_kind = int(rng.integers(1, 3))
        lost: set[int] = set()
        if cfg.plain is not None:
            if any(t in plan[k] for k in ('motion_blur', 'defocus', 'noise')):
                lost = set(range(len(objs)))
            elif t in plan['occlusion']:
                lost = {plan['occlusion'][t]}
        for i, o in enumerate(objs):
            sprite = (cfg.plain if i in lost else cfg.sprites)[o['cls']]
            _paste(frame, sprite, boxes[t][i], o['gain'], pose_kind if i == pose_obj else 0)
            for j in range(i):  # earlier objects are under this one
                if vis[t][i] is not None and vis[t][j] is not None and \
                        _ioa(vis[t][j], vis[t][i]) > 0.25:
                    occluded[j] = True
        if t in plan['occlusion']:
            i = plan['occlusion'][t]
            if i is None:
                i = int(rng.choice([i for i, b in enumerate(vis[t]) if b is not None]))
            occluded[i] = True
            _occlude(rng, frame, vis[t][i], hardness['occlusion'])
        if t in plan['motion_blur']:
            lo, hi = hardness['blur_len']
            if hardness['blur_angle']:  # diagonal, either way (the draws' order fixes the set)
                angle = rng.uniform(*hardness['blur_angle']) + math.pi / 2 * int(rng.integers(2))
                length = int(rng.integers(lo, hi + 1))
            else:
                length = int(rng.integers(lo, hi + 1))
                angle = rng.uniform(0, math.pi)
            frame = cv2.filter2D(frame, -1, _motion_kernel(length, angle))
        if t in plan['defocus']:
            frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(*hardness['defocus']))
        if t in plan['noise']:
            frame += rng.normal(0, rng.uniform(*hardness['noise']),
                                size=frame.shape).astype(np.float32)
            blotches = rng.normal(0, rng.uniform(*hardness['blotch']),
                                  size=(-(-h // 4), -(-w // 4), 3)).astype(np.float32)
            frame += cv2.resize(blotches, (w, h), interpolation=cv2.INTER_NEAREST)
        frame += rng.normal(0, 4, size=frame.shape).astype(np.float32)
        objects = [dict(trackid=i, wnid=VID_WNIDS[o['cls']], box=vis[t][i], occluded=occluded[i])
                   for i, o in enumerate(objs) if vis[t][i] is not None]
        stats['boxes'] += len(objects)
        stats['empty'] += not objects
        stats['classes'].update(VID_CLASSES[o['cls']] for i, o in enumerate(objs)
                                if vis[t][i] is not None)
        stem = f'{t:06d}'
        _write(os.path.join(root, 'Data', 'VID', split, rel, stem + '.JPEG'),
               _jpeg(frame, cfg.quality))
        _write(os.path.join(root, 'Annotations', 'VID', split, rel, stem + '.xml'),
               _xml(folder, stem, w, h, objects, 'ILSVRC_2015'))
    return stats


def _ioa(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Fraction of box a covered by box b (inclusive pixel boxes)."""
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / ((a[2] - a[0] + 1) * (a[3] - a[1] + 1))


def _occlude(rng: np.random.Generator, frame: np.ndarray, box: tuple[int, ...],
             fraction: tuple[float, float] = (0.3, 0.6)) -> None:
    """Cover a ``fraction`` range (default 30-60 %) of ``box`` from a random side with a noisy
    grey distractor patch."""
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1 + 1, y2 - y1 + 1
    frac = rng.uniform(*fraction)
    side = int(rng.integers(4))
    if side == 0:
        px1, py1, px2, py2 = x1, y1, x1 + round(bw * frac), y2 + 1
    elif side == 1:
        px1, py1, px2, py2 = x2 + 1 - round(bw * frac), y1, x2 + 1, y2 + 1
    elif side == 2:
        px1, py1, px2, py2 = x1, y1, x2 + 1, y1 + round(bh * frac)
    else:
        px1, py1, px2, py2 = x1, y2 + 1 - round(bh * frac), x2 + 1, y2 + 1
    ph, pw = py2 - py1, px2 - px1
    if ph < 1 or pw < 1:
        return
    grey = rng.uniform(60, 200)
    frame[py1:py2, px1:px2] = grey + rng.normal(0, 20, size=(ph, pw, 1)).astype(np.float32)


# --------------------------------------------------------------------------------------------
# public entry
# --------------------------------------------------------------------------------------------

def _prepare_root(root: str, overwrite: bool) -> None:
    if os.path.isdir(root) and os.listdir(root):
        if not overwrite:
            raise FileExistsError(f'{root}: folder is not empty (pass overwrite=True to '
                                  're-generate a synthetic set there)')
        if not os.path.isfile(os.path.join(root, INFO_NAME)):
            raise FileExistsError(f'{root}: not a synthetic set (no {INFO_NAME}); refusing to '
                                  'delete it')
        for sub in ('Data', 'Annotations', 'ImageSets', 'Lists'):
            shutil.rmtree(os.path.join(root, sub), ignore_errors=True)
        os.remove(os.path.join(root, INFO_NAME))
    os.makedirs(root, exist_ok=True)


def make_synthetic_vid(root: str, num_train_videos: int = 8, num_val_videos: int = 4,
                       frames_per_video: int = 30, num_det_images: int = 20,
                       image_size: tuple[int, int] = (128, 160), num_classes: int = 3,
                       seed: int = 0, max_objects: int = 2, hardship_frames: int = 2,
                       other_det_every: int = 5, write_lists: bool = False,
                       jpeg_quality: int = 90, overwrite: bool = False, hardship_runs: int = 0,
                       motion_mix: tuple[float, float, float] | None = None,
                       twin_classes: bool = False) -> dict[str, Any]:
    """Write a synthetic ILSVRC-layout set under ``root`` (see the module docstring).

    Args:
        root: output folder (plays the role of ``data/ILSVRC``); must be empty or absent unless
            ``overwrite`` (which only replaces an earlier synthetic set).
        num_train_videos, num_val_videos, frames_per_video: VID sizes.
        num_det_images: DET still images; every ``other_det_every``-th holds only an object of a
            non-VID DET class (0 disables them).
        image_size: (height, width); keep both >= 32 (mmdet drops smaller training images).
        num_classes: uses the first ``num_classes`` of the 30 VID wnids.
        seed: all randomness comes from ``numpy.random.default_rng(seed)``; the same seed gives
            byte-identical files.
        max_objects: objects per video are 1..max_objects.
        hardship_frames: frames per video for each hardship kind.
        write_lists: also write the FGFA ``Lists/`` files (derived by the converter's rule).
        hardship_runs: instead of ``hardship_frames`` single frames per kind, this many episodes
            per video of 3-6 consecutive frames of one heavy hardship each (``_HEAVY``; motion
            blur, occlusion, defocus and noise in turn), at least 3 clean frames apart (the
            benchmark preset).
        motion_mix: (slow, medium, fast) probabilities of an object's motion group
            (``_MOTION_SPEED``); None keeps the quick-start's sinusoidal paths (all fast).
        twin_classes: classes come in pairs that differ only in band orientation.

    Returns:
        ``{'train': {videos, frames, boxes, empty_frames, classes}, 'val': {...},
        'det': {images, vid_images, boxes, vid_boxes, classes}, 'classes', 'wnids',
        'hardships': {kind: [[split, video, frame_index], ...]}, 'root', 'seed'}``
        (also saved as ``synthetic_info.json``).
    """
    h, w = image_size
    if not 1 <= num_classes <= len(VID_WNIDS):
        raise ValueError(f'num_classes must be in 1..{len(VID_WNIDS)}, got {num_classes}')
    if h < 8 or w < 8 or frames_per_video < 1 or max_objects < 1:
        raise ValueError('image_size >= 8x8, frames_per_video >= 1 and max_objects >= 1 needed')
    if motion_mix is not None and (len(motion_mix) != 3 or min(motion_mix) < 0
                                   or sum(motion_mix) <= 0):
        raise ValueError('motion_mix must be 3 non-negative (slow, medium, fast) weights with a '
                         f'positive sum, got {motion_mix}')
    if hardship_runs < 0:
        raise ValueError(f'hardship_runs must be >= 0, got {hardship_runs}')
    _prepare_root(root, overwrite)
    # marks the folder as ours at once, so that an interrupted run can be redone with overwrite
    _write(os.path.join(root, INFO_NAME), json.dumps({'incomplete': True}) + '\n')
    rng = np.random.default_rng(seed)
    sprites = [_class_sprite(c, twin_classes) for c in range(num_classes)]
    # Twins drawn in a hardship episode lose their bands (their mean colour is kept).
    plain = [(np.broadcast_to(img.mean(axis=(0, 1)), img.shape), mask)
             for img, mask in sprites] if twin_classes and hardship_runs else None
    settings = _VideoSettings(frames_per_video, h, w, num_classes, max_objects, hardship_frames,
                              hardship_runs, motion_mix, jpeg_quality, sprites, plain)
    hardships: dict[str, list] = {k: [] for k in HARDSHIPS}
    motions: list | None = [] if motion_mix is not None else None
    out: dict[str, Any] = {'root': root, 'seed': seed,
                           'classes': list(VID_CLASSES[:num_classes]),
                           'wnids': list(VID_WNIDS[:num_classes])}
    video_classes: dict[str, set[str]] = {}
    list_lines: dict[str, list[str]] = {'train': [], 'val': []}
    for split, count in (('train', num_train_videos), ('val', num_val_videos)):
        s = dict(videos=0, frames=0, boxes=0, empty_frames=0, classes=set())
        for v in range(count):
            if split == 'train':
                rel = f'{_TRAIN_CHUNK.format(v // 1000)}/ILSVRC2015_train_{v:08d}'
            else:
                rel = f'ILSVRC2015_val_{v:08d}'
            vs = _make_video(rng, root, split, rel, v, settings, hardships, motions)
            s['videos'] += 1
            s['frames'] += vs['frames']
            s['boxes'] += vs['boxes']
            s['empty_frames'] += vs['empty']
            s['classes'] |= vs['classes']
            video_classes[f'{split}/{rel}'] = vs['classes']
            if split == 'train':
                list_lines['train'] += [f'train/{rel} 1 {f} {frames_per_video}'
                                        for f in derive_train_frames(frames_per_video)]
            else:
                list_lines['val'].append(f'val/{rel} 1 0 {frames_per_video}')
        s['classes'] = sorted(s['classes'])
        out[split] = s
    det, det_list = _make_det(rng, root, num_det_images, h, w, num_classes, max_objects,
                              other_det_every, jpeg_quality, sprites)
    out['det'] = det
    out['hardships'] = hardships
    if motions is not None:
        out['objects'] = motions  # [split, video, trackid, motion group it was drawn from]
    _write_imagesets(root, num_train_videos, num_val_videos, frames_per_video, video_classes,
                     det_list)
    if write_lists:
        lists = os.path.join(root, 'Lists')
        _write(os.path.join(lists, LIST_NAMES['train']), ''.join(
            line + '\n' for line in list_lines['train']))
        _write(os.path.join(lists, LIST_NAMES['val']), ''.join(
            line + '\n' for line in list_lines['val']))
        _write(os.path.join(lists, LIST_NAMES['det']), ''.join(
            f'{rel} 1\n' for rel, wnids in det_list if set(wnids) & set(VID_WNIDS)))
    _write(os.path.join(root, INFO_NAME), json.dumps(out, indent=1, sort_keys=True) + '\n')
    return out


def _make_det(rng: np.random.Generator, root: str, num: int, h: int, w: int, num_classes: int,
              max_objects: int, other_every: int, quality: int,
              sprites: list) -> tuple[dict, list[tuple[str, list[str]]]]:
    """DET stills: half in ILSVRC2014_train_0000, half in ILSVRC2013_train/<wnid>/."""
    other = _other_sprite()
    s = dict(images=0, vid_images=0, boxes=0, vid_boxes=0, classes=set())
    listing = []
    for i in range(num):
        is_other = other_every > 0 and i % other_every == other_every - 1
        frame = _background(rng, h, w)
        objects = []
        for _ in range(1 if is_other else int(rng.integers(1, max_objects + 1))):
            cls = -1 if is_other else int(rng.integers(num_classes))
            side = rng.uniform(0.25, 0.5) * min(h, w)
            bw, bh = round(side * rng.uniform(0.8, 1.25)), round(side * rng.uniform(0.8, 1.25))
            x1, y1 = int(rng.integers(0, w - bw + 1)), int(rng.integers(0, h - bh + 1))
            box = (x1, y1, x1 + bw, y1 + bh)
            _paste(frame, other if is_other else sprites[cls], box, rng.uniform(0.85, 1.15), 0)
            wnid = OTHER_DET_WNID if is_other else VID_WNIDS[cls]
            objects.append(dict(wnid=wnid, box=(box[0], box[1], box[2] - 1, box[3] - 1)))
            if not is_other:
                s['classes'].add(VID_CLASSES[cls])
        frame += rng.normal(0, 4, size=frame.shape).astype(np.float32)
        first = objects[0]['wnid']
        if i < (num + 1) // 2:
            sub, stem = 'ILSVRC2014_train_0000', f'ILSVRC2014_train_{i + 1:08d}'
        else:
            sub, stem = f'ILSVRC2013_train/{first}', f'{first}_{i + 1}'
        _write(os.path.join(root, 'Data', 'DET', 'train', sub, stem + '.JPEG'),
               _jpeg(frame, quality))
        _write(os.path.join(root, 'Annotations', 'DET', 'train', sub, stem + '.xml'),
               _xml(sub.split('/')[-1], stem, w, h, objects, 'ILSVRC_2014'))
        listing.append((f'train/{sub}/{stem}', [o['wnid'] for o in objects]))
        s['images'] += 1
        s['boxes'] += len(objects)
        s['vid_images'] += not is_other
        s['vid_boxes'] += 0 if is_other else len(objects)
    s['classes'] = sorted(s['classes'])
    return s, listing


def _write_imagesets(root: str, n_train: int, n_val: int, n_frames: int,
                     video_classes: dict[str, set[str]],
                     det_list: list[tuple[str, list[str]]]) -> None:
    """ImageSets/VID/train_<k>.txt (one per VID class), val.txt, ImageSets/DET/train_<k>.txt.

    DET files are numbered by the VID class order (k = 1..30, 31 = the non-VID class), not by
    the 200-class DET numbering; the converter does not read ImageSets.
    """
    vid_sets = os.path.join(root, 'ImageSets', 'VID')
    train_videos = [k for k in video_classes if k.startswith('train/')]
    for k, name in enumerate(VID_CLASSES, 1):
        _write(os.path.join(vid_sets, f'train_{k}.txt'), ''.join(
            f'{v[len("train/"):]} {1 if name in video_classes[v] else -1}\n'
            for v in train_videos))
    val_lines, index = [], 1
    for v in (k for k in video_classes if k.startswith('val/')):
        for t in range(n_frames):
            val_lines.append(f'{v[len("val/"):]}/{t:06d} {index}\n')
            index += 1
    _write(os.path.join(vid_sets, 'val.txt'), ''.join(val_lines))
    det_sets = os.path.join(root, 'ImageSets', 'DET')
    for k, wnid in enumerate((*VID_WNIDS, OTHER_DET_WNID), 1):
        _write(os.path.join(det_sets, f'train_{k}.txt'), ''.join(
            f'{rel[len("train/"):]} {1 if wnid in wnids else -1}\n' for rel, wnids in det_list))
