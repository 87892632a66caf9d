"""Run a video detector over a video file or a folder of frames and write an annotated video.

What ``tools/demo_vid.py`` runs, on the libraries: frames from ``mmcv.VideoReader`` (or the
images of a folder, in natural name order: 2.jpg before 10.jpg), the model from
``mmtrack.apis.init_model``, detection by :class:`mmlsts.apis.inference.VideoInference` (the
config's own test pipeline and reference sampler: LSTS 'middle', DFF, FGFA and SELSA see what
``tools/test.py`` gives them), boxes drawn by the model's ``show_result`` (mmcv's
``imshow_det_bboxes``: boxes with a score > ``score_thr``, class name and score).

Also drawn per frame: the frame index, and on keyframes (frames that ran the whole backbone,
:mod:`mmlsts.keyframes`: LSTS 'middle' with interval 10 frames 4, 14, ...,
the last clipped to the clip's last frame; DFF every 10th frame; FGFA and SELSA none) an orange
border and a ``KEY`` tag. The video is written with OpenCV's ``mp4v`` codec into a temporary
folder beside ``output`` and put in place by :func:`mmlsts.utils.atomic_write` at the end; an
existing output is never replaced unless ``overwrite``.
"""
from __future__ import annotations

import itertools
import os
import os.path as osp
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import mmcv
import numpy as np

from mmlsts.utils import atomic_write

from .inference import FrameResult, VideoInference
from .model import load_video_model

__all__ = ['DemoResult', 'read_frames', 'draw_frame', 'run_video_demo', 'IMAGE_EXTENSIONS',
           'OUTPUT_EXTENSIONS', 'KEY_COLOUR']

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
OUTPUT_EXTENSIONS = ('.mp4', '.m4v', '.mov', '.avi')  # containers that take OpenCV's mp4v
DEFAULT_FPS = 25.0
KEY_COLOUR = (0, 165, 255)  # BGR orange: the keyframe border and tag


@dataclass
class DemoResult:
    """What :func:`run_video_demo` did: ``key_frames[i]`` and ``num_boxes[i]`` (boxes drawn) per
    frame; ``detections[i]`` (with ``return_detections``) is frame i's ``det_bboxes``, in the
    input's pixels, before the score threshold."""

    output: str
    fps: float
    has_key_frames: bool
    frame_size: tuple[int, int] = (0, 0)  # (width, height) of the written frames
    key_frames: list[bool] = field(default_factory=list)
    num_boxes: list[int] = field(default_factory=list)
    frames_dir: str | None = None
    detections: list[list[np.ndarray]] | None = None

    @property
    def num_frames(self) -> int:
        return len(self.key_frames)

    @property
    def key_frame_ids(self) -> list[int]:
        return [i for i, key in enumerate(self.key_frames) if key]


# Frames --------------------------------------------------------------------------------------
def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


def read_frames(path: str, max_frames: int | None = None) -> tuple[Iterator, int, float | None]:
    """(frames, number of frames, fps or None) of a video file or a folder of images.

    A video yields BGR arrays (``mmcv.VideoReader``), a folder its image paths.
    """
    if max_frames is not None and max_frames < 1:
        raise ValueError(f'demo: max_frames must be >= 1, got {max_frames}')
    if osp.isdir(path):
        names = sorted(mmcv.scandir(path, suffix=IMAGE_EXTENSIONS, case_sensitive=False),
                       key=_natural_key)
        if not names:
            raise ValueError(f'demo: the folder {path} holds no image file (looked for '
                             f"{', '.join(IMAGE_EXTENSIONS)})")
        files = [osp.join(path, n) for n in names[:max_frames]]
        return iter(files), len(files), None
    if not osp.isfile(path):
        raise FileNotFoundError(f'demo: input {path} does not exist (give a video file or a '
                                'folder of frames)')
    try:
        video = mmcv.VideoReader(path)
    except AssertionError:
        raise ValueError(f'demo: OpenCV could not open {path} as a video (give a video file or '
                         'a folder of frames)') from None
    count = video.frame_cnt if max_frames is None else min(video.frame_cnt, max_frames)
    fps = video.fps if video.fps and video.fps > 0 else None
    return itertools.islice(video, max_frames), count, fps


# Drawing -------------------------------------------------------------------------------------
def draw_frame(model, frame: FrameResult, score_thr: float = 0.5, out_scale: float = 1.0,
               mark_key: bool = True) -> tuple[np.ndarray, int]:
    """The annotated frame (boxes by ``model.show_result``, the frame index, the KEY marks on
    a keyframe when ``mark_key``) and the number of boxes drawn."""
    img = mmcv.imread(frame.img)
    bboxes = [np.asarray(b) for b in frame.result['det_bboxes']]
    if out_scale != 1.0:
        h, w = img.shape[:2]
        size = (max(1, round(w * out_scale)), max(1, round(h * out_scale)))
        img = mmcv.imresize(img, size)
        scale = np.array([size[0] / w, size[1] / h] * 2 + [1.0], np.float32)
        bboxes = [b * scale for b in bboxes]
    h, w = img.shape[:2]
    base = max(h, w)
    thick, font_scale = max(1, round(base / 400)), max(0.35, base / 1000)
    drawn = model.show_result(img, dict(det_bboxes=bboxes), score_thr=score_thr,
                              thickness=thick, font_scale=font_scale)
    font = cv2.FONT_HERSHEY_SIMPLEX
    if mark_key and frame.key_frame:
        border = max(3, round(base / 100))
        cv2.rectangle(drawn, (0, 0), (w - 1, h - 1), KEY_COLOUR, border)
        (tw, th), _ = cv2.getTextSize('KEY', font, font_scale * 1.2, thick)
        cv2.putText(drawn, 'KEY', (w - border - tw - 2, border + th + 2), font,
                    font_scale * 1.2, KEY_COLOUR, thick, cv2.LINE_AA)
    cv2.putText(drawn, f'#{frame.frame_id}', (2, h - 4), font, font_scale, (255, 255, 255),
                thick, cv2.LINE_AA)
    return drawn, sum(int((b[:, 4] > score_thr).sum()) for b in bboxes if b.size)


# Device --------------------------------------------------------------------------------------
def _device(device: str | None) -> str:
    import torch
    device = device or ('cuda:0' if torch.cuda.is_available() else 'cpu')
    try:
        kind = torch.device(device).type
    except RuntimeError as err:
        raise ValueError(f"demo: bad device '{device}': {err}") from None
    if kind == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f"demo: device '{device}' asked for, but CUDA is not available; use "
                         '--device cpu')
    return device


# Output --------------------------------------------------------------------------------------
def _check_outputs(output: str, input_path: str, frames_dir: str | None, overwrite: bool) -> None:
    if osp.splitext(output)[1].lower() not in OUTPUT_EXTENSIONS:
        raise ValueError(f"demo: output {output} must end in one of {', '.join(OUTPUT_EXTENSIONS)}"
                         ' (written with the mp4v codec)')
    if osp.realpath(output) == osp.realpath(input_path):
        raise ValueError(f'demo: output {output} is the input video')
    if osp.isdir(output):
        raise IsADirectoryError(f'demo: output {output} is a folder; give a video file name')
    if osp.exists(output) and not overwrite:
        raise FileExistsError(f'demo: output {output} exists; pass --overwrite (overwrite=True) '
                              'to replace it')
    if frames_dir is not None:
        if osp.isfile(frames_dir):
            raise NotADirectoryError(f'demo: frames folder {frames_dir} is a file')
        if osp.isdir(frames_dir) and os.listdir(frames_dir) and not overwrite:
            raise FileExistsError(f'demo: frames folder {frames_dir} is not empty; pass '
                                  '--overwrite (overwrite=True) to write into it')


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
        score_thr: draw boxes with a score > this.
        fps: frame rate of the output; default the source video's, or 25 for a folder.
        max_frames: only the first ``max_frames`` frames (the clip ends there: LSTS's last
            keyframe is clipped to it).
        cfg_options: config overrides (e.g.
            ``{'data.test.ref_img_sampler.key_frame_interval': 5}`` for LSTS).
        overwrite: replace an existing ``output`` (and write into a non-empty ``frames_dir``).
        frames_dir: also save every annotated frame there as ``%06d.png``.
        out_scale: resize the frames by this factor before drawing (for small inputs).
        progress: show mmcv's progress bar.
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
    _check_outputs(output, input_path, frames_dir, overwrite)
    frames, count, source_fps = read_frames(input_path, max_frames)
    model = load_video_model(config, checkpoint, _device(device), cfg_options)
    video, bar = VideoInference(model), mmcv.ProgressBar(count) if progress else None
    result = DemoResult(output=output, fps=float(fps or source_fps or DEFAULT_FPS),
                        has_key_frames=video.schedule is not None, frames_dir=frames_dir,
                        detections=[] if return_detections else None)
    if frames_dir is not None:
        os.makedirs(frames_dir, exist_ok=True)
    folder = osp.dirname(osp.abspath(output))
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='.demo_vid.', dir=folder) as tmp:
        tmp_video, writer = osp.join(tmp, 'video' + osp.splitext(output)[1]), None
        try:
            for done in _frames_done(video, frames):
                drawn, boxes = draw_frame(model, done, score_thr, out_scale,
                                          result.has_key_frames)
                size = (drawn.shape[1], drawn.shape[0])
                if writer is None:
                    writer = cv2.VideoWriter(tmp_video, cv2.VideoWriter_fourcc(*'mp4v'),
                                             result.fps, size)
                    if not writer.isOpened():
                        raise RuntimeError(f'demo: OpenCV could not open a video writer for '
                                           f'{output} (mp4v, {size[0]}x{size[1]} at '
                                           f'{result.fps} fps)')
                    result.frame_size = size
                elif size != result.frame_size:
                    raise ValueError(f'demo: frame {done.frame_id} is {size[0]}x{size[1]}, the '
                                     f'first {result.frame_size[0]}x{result.frame_size[1]}; a '
                                     'clip has one size')
                writer.write(drawn)
                if frames_dir is not None:
                    mmcv.imwrite(drawn, osp.join(frames_dir, f'{done.frame_id:06d}.png'))
                result.key_frames.append(done.key_frame)
                result.num_boxes.append(boxes)
                if result.detections is not None:
                    result.detections.append(list(done.result['det_bboxes']))
                if bar is not None:
                    bar.update()
        finally:
            if writer is not None:
                writer.release()
        if writer is None:
            raise ValueError(f'demo: no frame could be read from {input_path} (give a video '
                             'file or a folder of frames)')
        with open(tmp_video, 'rb') as src:
            atomic_write(output, lambda dst: shutil.copyfileobj(src, dst), overwrite=overwrite)
    return result


def _frames_done(video: VideoInference, frames: Iterator) -> Iterator[FrameResult]:
    for img in frames:
        yield from video.push(img)
    yield from video.flush()
