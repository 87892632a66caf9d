"""The synthetic benchmark of mmlsts: every VID method on one calibrated synthetic set.

A lab beside the package (``projects/synthetic_benchmark``), in OpenMMLab's ``projects/`` style:
it imports :mod:`mmlsts`, never the reverse.

- :mod:`.preset`: the benchmark set (options of :func:`mmlsts.datasets.make_synthetic_vid`);
- :mod:`.compare`: train and test every method on one budget, resumable, one CSV;
- :mod:`.hardships`: AP@0.5 on clean, hard and each hardship's frames;
- :mod:`.dfa_diagnosis`: what DFA does to a non-keyframe's feature, frame by frame.
"""
