"""High-level uses of a trained video detector: the video demo and the offsets plot.

Library code of ``tools/demo_vid.py`` and ``tools/analysis/plot_offsets.py``.
"""
from .demo import DemoResult, FrameSource, draw_detections, keyframe_flag, run_video_demo

__all__ = ['DemoResult', 'FrameSource', 'draw_detections', 'keyframe_flag', 'run_video_demo']
