"""High-level uses of a trained video detector: per-frame inference, the video demo and the
offsets plot.

Library code of ``tools/demo_vid.py`` and ``tools/analysis/plot_offsets.py``.
"""
from .demo import DemoResult, draw_frame, read_frames, run_video_demo
from .inference import FrameResult, VideoInference

__all__ = ['DemoResult', 'FrameResult', 'VideoInference', 'draw_frame', 'read_frames',
           'run_video_demo']
