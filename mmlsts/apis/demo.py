"""Run a video detector over a video file or a folder of frames and write an annotated video.

What ``tools/demo_vid.py`` runs. Works for LSTS and for MMTracking's DFF, FGFA and SELSA: every
frame is fed to the model in order (batch 1), exactly as the config's test dataset would feed it:

- the reference frames come from the config's own ``data.test.ref_img_sampler``, computed by the
  test dataset class's real ``ref_img_sampling`` on an index of the clip (so LSTS with
  ``key_frame_position='middle'`` gets its segment's keyframe, read ahead, at each segment start;
  FGFA its references at fixed stride; SELSA its references over the whole clip; DFF none);
- the images go through ``data.test.pipeline``, whose first step (``LoadImageFromFile`` or
  ``LoadMultiImagesFromFile``) is replaced by frames already decoded here.

Unlike ``mmtrack.apis.inference_vid`` (which feeds copies of the current frame as FGFA/SELSA
references and no LSTS keyframe), this keeps each method's own test procedure. The clip's length
is known up front: a folder's frame count, or a video's frames counted by a first decoding pass
(``max_frames`` shortens the clip as if the video ended there).

Drawn per frame: boxes with class name and score (``score >= score_thr``), the frame index, and
for keyframe methods a ``KEY`` tag and an orange border on keyframes. A keyframe is a frame whose
own image ran the whole backbone: for LSTS the frame the keyframe memory was made from
(``model.memo.key_id == frame_id``: with ``'middle'`` and interval 10 frames 4, 14, ..., each
clipped to the clip's last frame), for DFF every ``key_frame_interval``-th frame. FGFA and SELSA
run the full backbone on every frame and mark none.

The video is written with OpenCV's ``mp4v`` codec to a hidden temporary file next to ``output``
and moved into place at the end; an existing output is never replaced unless ``overwrite``.
"""
from __future__ import annotations

import copy
import logging
import math
import os
import os.path as osp
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from mmlsts.datasets.one_video import OneVideoIndex, reference_sampler

__all__ = ['DemoResult', 'FrameSource', 'run_video_demo', 'draw_detections', 'keyframe_flag',
           'IMAGE_EXTENSIONS', 'OUTPUT_EXTENSIONS']

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
OUTPUT_EXTENSIONS = ('.mp4', '.m4v', '.mov', '.avi')  # containers that take OpenCV's mp4v
DEFAULT_FPS = 25.0
KEY_COLOUR = (0, 165, 255)  # BGR orange
_LOADERS = ('LoadImageFromFile', 'LoadMultiImagesFromFile')
_PALETTE = (  # BGR, well separated
    (56, 56, 255), (151, 157, 255), (31, 112, 255), (29, 178, 255), (49, 210, 207),
    (10, 249, 72), (23, 204, 146), (134, 219, 61), (52, 147, 26), (187, 212, 0),
    (168, 153, 44), (255, 194, 0), (147, 69, 52), (255, 115, 100), (236, 24, 0),
    (255, 56, 132), (133, 0, 82), (255, 56, 203), (200, 149, 255), (199, 55, 255))


@dataclass
class DemoResult:
    """What :func:`run_video_demo` did.

    ``key_frames[i]`` is True when frame i is a keyframe (always False for methods without
    keyframes, see ``has_key_frames``); ``num_boxes[i]`` counts the boxes drawn on frame i;
    ``detections[i]`` (only with ``return_detections``) is the model's per-class (k, 5) arrays
    for frame i, in the input's pixels, before the score threshold.
    """

    output: str
    num_frames: int
    fps: float
    frame_size: tuple[int, int]  # (width, height) of the written frames
    key_frames: list[bool] = field(default_factory=list)
    has_key_frames: bool = False
    num_boxes: list[int] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    frames_dir: str | None = None
    detections: list[list[np.ndarray]] | None = None

    @property
    def key_frame_ids(self) -> list[int]:
        return [i for i, key in enumerate(self.key_frames) if key]


# Frames --------------------------------------------------------------------------------------
def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


class _FolderReader:
    def __init__(self, files: list[str]) -> None:
        self.files = files

    def get(self, index: int) -> np.ndarray:
        img = cv2.imread(self.files[index], cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f'demo: could not read the image {self.files[index]}')
        return img

    def close(self) -> None:
        pass


class _VideoReader:
    """Forward reading with skips (``grab``); going back re-opens the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.cap: cv2.VideoCapture | None = None
        self.pos = 0  # index of the next frame the capture returns
        self.last: tuple[int, np.ndarray] | None = None

    def _open(self) -> None:
        self.close()
        self.cap = cv2.VideoCapture(self.path)
        if not self.cap.isOpened():
            raise ValueError(f'demo: OpenCV could not open the video {self.path}')
        self.pos = 0

    def get(self, index: int) -> np.ndarray:
        if self.last is not None and self.last[0] == index:
            return self.last[1]
        if self.cap is None or index < self.pos:
            self._open()
        while self.pos < index:
            if not self.cap.grab():
                raise ValueError(f'demo: {self.path} ended before frame {index}')
            self.pos += 1
        ok, img = self.cap.read()
        if not ok or img is None:
            raise ValueError(f'demo: could not decode frame {index} of {self.path}')
        self.pos += 1
        self.last = (index, img)
        return img

    def close(self) -> None:
        if self.cap is not None:
            self.cap.release()
            self.cap = None


class FrameSource:
    """The frames of a video file (anything ``cv2.VideoCapture`` opens) or of a folder of images
    (``IMAGE_EXTENSIONS``, in natural name order: 2.jpg before 10.jpg).

    Args:
        path: the video file or the folder.
        max_frames: keep only the first ``max_frames`` frames.
    """

    def __init__(self, path: str, max_frames: int | None = None) -> None:
        if max_frames is not None and max_frames < 1:
            raise ValueError(f'demo: max_frames must be >= 1, got {max_frames}')
        self.path = path
        self.files: list[str] | None = None
        self.fps: float | None = None
        if osp.isdir(path):
            names = sorted((n for n in os.listdir(path)
                            if osp.splitext(n)[1].lower() in IMAGE_EXTENSIONS
                            and osp.isfile(osp.join(path, n))), key=_natural_key)
            if not names:
                raise ValueError(f'demo: the folder {path} holds no image file (looked for '
                                 f"{', '.join(IMAGE_EXTENSIONS)})")
            self.files = [osp.join(path, n) for n in names[:max_frames]]
            self.num_frames = len(self.files)
        elif osp.isfile(path):
            self.num_frames, self.fps = self._count_video(path, max_frames)
        else:
            raise FileNotFoundError(f'demo: input {path} does not exist (give a video file or a '
                                    'folder of frames)')
        first = self.reader().get(0)
        self.height, self.width = first.shape[:2]

    @staticmethod
    def _count_video(path: str, max_frames: int | None) -> tuple[int, float | None]:
        cap = cv2.VideoCapture(path)
        try:
            if not cap.isOpened():
                raise ValueError(f'demo: OpenCV could not open {path} as a video (give a video '
                                 'file or a folder of frames)')
            fps = cap.get(cv2.CAP_PROP_FPS)
            count = 0
            while (max_frames is None or count < max_frames) and cap.grab():
                count += 1
        finally:
            cap.release()
        if count == 0:
            raise ValueError(f'demo: no frame could be decoded from the video {path}')
        return count, (float(fps) if fps and math.isfinite(fps) and fps > 0 else None)

    @property
    def is_video(self) -> bool:
        return self.files is None

    def name(self, index: int) -> str:
        """The file name that frame ``index`` carries in the image metas."""
        if self.files is not None:
            return self.files[index]
        return f'{self.path}#{index:06d}'

    def reader(self) -> _FolderReader | _VideoReader:
        """A new reader: ``get(i)`` gives frame i as a BGR uint8 array (cheapest in order)."""
        return _FolderReader(self.files) if self.files is not None else _VideoReader(self.path)


# Feeding the model ---------------------------------------------------------------------------
class _Feeder:
    """Model inputs for frame t, as the config's test dataset + pipeline would give them."""

    def __init__(self, cfg, source: FrameSource, device) -> None:
        from mmdet.datasets.pipelines import Compose
        pipeline = list(cfg.data.test.pipeline)
        loader = pipeline[0] if pipeline else {}
        if loader.get('type') not in _LOADERS:
            raise ValueError(f'demo: the test pipeline must start with one of {_LOADERS}, the '
                             f"config's starts with {loader.get('type')}")
        self.to_float32 = bool(loader.get('to_float32', False))
        self.to_rgb = loader.get('channel_order', 'bgr') == 'rgb'
        self.pipeline = Compose(pipeline[1:])
        self.index = OneVideoIndex(source.num_frames, source.height, source.width,
                                   name=source.name)
        self.dataset, self.sampler = reference_sampler(cfg, self.index, 'demo')
        self.refs = source.reader()  # a second reader: references run ahead of the current frame
        self.device = device

    def _results(self, info: dict, img: np.ndarray) -> dict:
        if self.to_rgb:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        img = img.astype(np.float32) if self.to_float32 else img.copy()
        # CocoVideoDataset.prepare_results (test mode, no proposals) + LoadImageFromFile
        return dict(img_info=info, img_prefix=None, seg_prefix=None, proposal_file=None,
                    bbox_fields=[], mask_fields=[], seg_fields=[], is_video_data=True,
                    video_id=info['video_id'], filename=info['filename'],
                    ori_filename=info['filename'], img=img, img_shape=img.shape,
                    ori_shape=img.shape, img_fields=['img'])

    def inputs(self, frame_id: int, img: np.ndarray) -> dict:
        from mmcv.parallel import collate, scatter
        info = self.index.info(frame_id)
        if self.dataset is None:
            results: Any = self._results(info, img)
        else:
            infos = self.dataset.ref_img_sampling(info, **self.sampler)
            results = [self._results(infos[0], img)]
            for ref in infos[1:]:
                ref_img = img if ref['frame_id'] == frame_id else self.refs.get(ref['frame_id'])
                results.append(self._results(ref, ref_img))
        data = collate([self.pipeline(results)], samples_per_gpu=1)
        target = [-1] if self.device.type == 'cpu' else [self.device.index or 0]
        return scatter(data, target)[0]

    def close(self) -> None:
        self.refs.close()


# Keyframes and drawing -----------------------------------------------------------------------
def has_keyframes(model) -> bool:
    """Whether the model skips the full backbone on some frames (LSTS, DFF-like)."""
    from mmlsts.models.vid.lsts import LSTS
    return isinstance(model, LSTS) or 'key_frame_interval' in (getattr(model, 'test_cfg', None)
                                                               or {})


def keyframe_flag(model, frame_id: int) -> bool:
    """After the model ran frame ``frame_id``: was it a keyframe (see the module docstring)?"""
    from mmlsts.models.vid.lsts import LSTS
    if isinstance(model, LSTS):
        return model.memo.get('key_id') == frame_id
    interval = (getattr(model, 'test_cfg', None) or {}).get('key_frame_interval')
    return bool(interval) and frame_id % int(interval) == 0


def _det_bboxes(result) -> list[np.ndarray]:
    if isinstance(result, dict):
        result = result.get('det_bboxes', [])
    if isinstance(result, tuple):  # (bboxes, masks)
        result = result[0]
    return [np.asarray(r) for r in result]


def draw_detections(img: np.ndarray, det_bboxes: list[np.ndarray], class_names: list[str],
                    score_thr: float = 0.5, frame_id: int | None = None,
                    key_frame: bool = False) -> tuple[np.ndarray, int]:
    """A copy of the BGR ``img`` with boxes (``det_bboxes[c]``: (k, 5) x1 y1 x2 y2 score of class
    c, in ``img``'s pixels), labels, the frame index and, on keyframes, the KEY marks.

    Returns the drawn image and the number of boxes drawn.
    """
    out = np.ascontiguousarray(img.copy())
    h, w = out.shape[:2]
    base = max(h, w)
    font, font_scale = cv2.FONT_HERSHEY_SIMPLEX, max(0.35, base / 1000)
    thick = max(1, round(base / 400))
    drawn = 0
    for cls, boxes in enumerate(det_bboxes):
        if boxes.size == 0:
            continue
        colour = _PALETTE[cls % len(_PALETTE)]
        name = class_names[cls] if cls < len(class_names) else f'class {cls}'
        for x1, y1, x2, y2, score in boxes[boxes[:, 4] >= score_thr][:, :5]:
            p1, p2 = (int(round(x1)), int(round(y1))), (int(round(x2)), int(round(y2)))
            cv2.rectangle(out, p1, p2, colour, thick)
            _label(out, f'{name} {score:.2f}', (p1[0], p1[1]), colour, font, font_scale,
                   max(1, thick - 1))
            drawn += 1
    if key_frame:
        border = max(3, round(base / 100))
        cv2.rectangle(out, (0, 0), (w - 1, h - 1), KEY_COLOUR, border)
        _label(out, 'KEY', (w - 1, 0), KEY_COLOUR, font, font_scale * 1.2, max(1, thick),
               anchor='top-right', inset=border)
    if frame_id is not None:
        _label(out, f'#{frame_id}', (0, h - 1), (0, 0, 0), font, font_scale, max(1, thick - 1),
               anchor='bottom-left')
    return out, drawn


def _label(img: np.ndarray, text: str, point: tuple[int, int], colour: tuple[int, ...], font,
           scale: float, thick: int, anchor: str = 'above', inset: int = 0) -> None:
    """Text on a filled box: above ``point`` (inside the image if no room), or at a corner."""
    (tw, th), baseline = cv2.getTextSize(text, font, scale, thick)
    bw, bh = tw + 4, th + baseline + 4
    h, w = img.shape[:2]
    x, y = point
    if anchor == 'top-right':
        x0, y0 = w - inset - bw, inset
    elif anchor == 'bottom-left':
        x0, y0 = 0, h - bh
    else:
        x0, y0 = x, y - bh if y - bh >= 0 else y
    x0 = min(max(x0, 0), max(w - bw, 0))
    y0 = min(max(y0, 0), max(h - bh, 0))
    cv2.rectangle(img, (x0, y0), (x0 + bw, y0 + bh), colour, -1)
    bright = sum(c * k for c, k in zip(colour, (0.114, 0.587, 0.299))) > 140
    cv2.putText(img, text, (x0 + 2, y0 + 2 + th), font, scale,
                (0, 0, 0) if bright else (255, 255, 255), thick, cv2.LINE_AA)


# Model ---------------------------------------------------------------------------------------
def _class_names(model, cfg, num_classes: int | None) -> list[str]:
    names = getattr(model, 'CLASSES', None)
    if not names:
        from mmdet.datasets import DATASETS
        names = getattr(DATASETS.get(cfg.data.test.get('type', '')), 'CLASSES', None)
    names = list(names or [])
    if num_classes is not None and len(names) < num_classes:
        names += [f'class {i}' for i in range(len(names), num_classes)]
    return names


def _num_classes(cfg) -> int | None:
    model = cfg.model.get('detector', cfg.model)
    try:
        return int(model.roi_head.bbox_head.num_classes)
    except (AttributeError, KeyError, TypeError):
        return None


def load_video_model(config, checkpoint: str | None, device: str,
                     cfg_options: dict | None = None):
    """``mmtrack.apis.init_model`` without downloads: every pretrained ``init_cfg`` is dropped
    (the checkpoint brings the weights; without one the weights are random)."""
    from mmcv import Config

    import mmlsts  # noqa: F401  (registers LSTS and friends, applies the compat fixes)
    from mmlsts.benchmark.vid import disable_pretrained
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(f'demo: config {config} does not exist')
        cfg = Config.fromfile(config)
    else:
        cfg = copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'demo: checkpoint {checkpoint} does not exist')
    if 'test' not in cfg.get('data', {}):
        raise ValueError(f'demo: config {config} has no data.test (its test pipeline and '
                         'reference sampler are what the demo feeds the model with)')
    disable_pretrained(cfg.model)
    from mmtrack.apis import init_model
    mmcv_logger = logging.getLogger('mmcv')
    level = mmcv_logger.level
    mmcv_logger.setLevel(logging.ERROR)  # load_checkpoint reports every key it skips
    try:
        model = init_model(cfg, checkpoint, device=device)
    finally:
        mmcv_logger.setLevel(level)
    return model, cfg


# Output --------------------------------------------------------------------------------------
def _check_output(output: str, input_path: str, overwrite: bool) -> None:
    ext = osp.splitext(output)[1].lower()
    if ext not in OUTPUT_EXTENSIONS:
        raise ValueError(f"demo: output {output} must end in one of {', '.join(OUTPUT_EXTENSIONS)}"
                         ' (written with the mp4v codec)')
    if osp.realpath(output) == osp.realpath(input_path):
        raise ValueError(f'demo: output {output} is the input video')
    if osp.isdir(output):
        raise IsADirectoryError(f'demo: output {output} is a folder; give a video file name')
    if osp.exists(output) and not overwrite:
        raise FileExistsError(f'demo: output {output} exists; pass --overwrite (overwrite=True) '
                              'to replace it')


def _check_frames_dir(frames_dir: str, overwrite: bool) -> None:
    if osp.isfile(frames_dir):
        raise NotADirectoryError(f'demo: frames folder {frames_dir} is a file')
    if osp.isdir(frames_dir) and os.listdir(frames_dir) and not overwrite:
        raise FileExistsError(f'demo: frames folder {frames_dir} is not empty; pass --overwrite '
                              '(overwrite=True) to write into it')


def _open_writer(output: str, fps: float, size: tuple[int, int]) -> tuple[cv2.VideoWriter, str]:
    folder = osp.dirname(osp.abspath(output))
    os.makedirs(folder, exist_ok=True)
    base, ext = osp.splitext(osp.basename(output))
    fd, tmp = tempfile.mkstemp(prefix=f'.{base}.', suffix=f'.partial{ext}', dir=folder)
    os.close(fd)
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    if not writer.isOpened():
        os.remove(tmp)
        raise RuntimeError(f'demo: OpenCV could not open a video writer for {output} (mp4v, '
                           f'{size[0]}x{size[1]} at {fps} fps)')
    return writer, tmp


def _publish(tmp: str, output: str) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private
    os.replace(tmp, output)


def default_device() -> str:
    import torch
    return 'cuda:0' if torch.cuda.is_available() else 'cpu'


def run_video_demo(config, checkpoint: str | None, input_path: str, output: str,
                   device: str | None = None, score_thr: float = 0.5, fps: float | None = None,
                   max_frames: int | None = None, cfg_options: dict | None = None,
                   overwrite: bool = False, frames_dir: str | None = None,
                   out_scale: float = 1.0, progress: bool = True,
                   return_detections: bool = False) -> DemoResult:
    """Detect on every frame of ``input_path`` in order and write the annotated video.

    Args:
        config: config file (or ``mmcv.Config``) of an MMTracking VID detector.
        checkpoint: its weights (loaded weights-only, see ``mmlsts.compat``); None: random.
        input_path: a video file or a folder of frames.
        output: the annotated video (.mp4, .m4v, .mov or .avi; mp4v codec).
        device: 'cpu', 'cuda', 'cuda:1', ...; default 'cuda:0' if CUDA is available, else 'cpu'.
        score_thr: draw boxes with a score >= this.
        fps: frame rate of the output; default the source video's, or 25 for a folder.
        max_frames: only the first ``max_frames`` frames.
        cfg_options: config overrides (e.g. ``{'model.test_cfg.key_frame_interval': 5}``; an
            LSTS 'lsts_keyframe' test sampler follows the model's key_frame_interval).
        overwrite: replace an existing ``output`` (and write into a non-empty ``frames_dir``).
        frames_dir: also save every annotated frame there as ``%06d.png``.
        out_scale: resize the frames by this factor before drawing (for small inputs).
        progress: show a tqdm progress bar.
        return_detections: keep every frame's detections in ``DemoResult.detections``.
    """
    if not 0.0 <= score_thr <= 1.0:
        raise ValueError(f'demo: score_thr must be in [0, 1], got {score_thr}')
    if fps is not None and not fps > 0:
        raise ValueError(f'demo: fps must be > 0, got {fps}')
    if not out_scale > 0:
        raise ValueError(f'demo: out_scale must be > 0, got {out_scale}')
    if not osp.exists(input_path):
        raise FileNotFoundError(f'demo: input {input_path} does not exist (give a video file or '
                                'a folder of frames)')
    _check_output(output, input_path, overwrite)
    if frames_dir is not None:
        _check_frames_dir(frames_dir, overwrite)
    source = FrameSource(input_path, max_frames)
    import torch
    device = device or default_device()
    try:
        torch_device = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"demo: bad device '{device}': {err}") from None
    if torch_device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f"demo: device '{device}' asked for, but CUDA is not available; use "
                         "--device cpu")
    model, cfg = load_video_model(config, checkpoint, device, cfg_options)
    names = _class_names(model, cfg, _num_classes(cfg))
    fps = float(fps or source.fps or DEFAULT_FPS)
    size = (max(1, round(source.width * out_scale)), max(1, round(source.height * out_scale)))
    if frames_dir is not None:
        os.makedirs(frames_dir, exist_ok=True)
    result = DemoResult(output=output, num_frames=source.num_frames, fps=fps, frame_size=size,
                        has_key_frames=has_keyframes(model), class_names=names,
                        frames_dir=frames_dir, detections=[] if return_detections else None)
    if hasattr(model, 'reset_memory'):
        model.reset_memory()
    sampler = cfg.data.test.get('ref_img_sampler') or {}
    if sampler.get('method') == 'lsts_keyframe' and hasattr(model, 'key_frame_interval'):
        # one interval for both, so that --cfg-options model.test_cfg.key_frame_interval=N
        # is enough to change it
        sampler['key_frame_interval'] = model.key_frame_interval
    feeder = _Feeder(cfg, source, torch_device)
    frames = source.reader()
    writer, tmp = _open_writer(output, fps, size)
    from tqdm import tqdm
    try:
        for frame_id in tqdm(range(source.num_frames), desc=osp.basename(input_path.rstrip('/')),
                             unit='frame', disable=not progress):
            img = frames.get(frame_id)
            if img.shape[:2] != (source.height, source.width):
                raise ValueError(f'demo: frame {frame_id} ({source.name(frame_id)}) is '
                                 f'{img.shape[1]}x{img.shape[0]}, the first frame '
                                 f'{source.width}x{source.height}; a clip has one size')
            with torch.no_grad():
                det = model(return_loss=False, rescale=True, **feeder.inputs(frame_id, img))
            key = keyframe_flag(model, frame_id)
            bboxes = _det_bboxes(det)
            if result.detections is not None:
                result.detections.append(bboxes)
            if out_scale != 1.0:
                img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
                scale = np.array([size[0] / source.width, size[1] / source.height] * 2 + [1.0],
                                 np.float32)
                bboxes = [b * scale if b.size else b for b in bboxes]
            drawn, count = draw_detections(img, bboxes, names, score_thr, frame_id,
                                           key and result.has_key_frames)
            writer.write(drawn)
            if frames_dir is not None:
                cv2.imwrite(osp.join(frames_dir, f'{frame_id:06d}.png'), drawn)
            result.key_frames.append(key)
            result.num_boxes.append(count)
        writer.release()
        if osp.exists(output) and not overwrite:  # appeared while we were running
            raise FileExistsError(f'demo: output {output} appeared during the run; pass '
                                  '--overwrite to replace it')
        _publish(tmp, output)
    finally:
        writer.release()
        frames.close()
        feeder.close()
        if osp.exists(tmp):
            os.remove(tmp)
    return result
