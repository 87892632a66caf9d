"""High-level uses of a trained video detector: loading it, per-frame inference, the video demo
and the offsets plot.

Library code of ``tools/demo_vid.py``, ``tools/analysis/plot_offsets.py`` and
``tools/analysis/benchmark_vid.py``.
"""
from .demo import DemoResult, draw_frame, read_frames, run_video_demo
from .inference import FrameResult, VideoInference
from .model import disable_pretrained, load_video_model

__all__ = ['DemoResult', 'FrameResult', 'VideoInference', 'disable_pretrained', 'draw_frame',
           'load_video_model', 'read_frames', 'run_video_demo']
