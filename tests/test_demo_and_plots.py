"""The video demo (mmlsts/apis/demo.py, tools/demo_vid.py) and the analysis plots
(tools/analysis/plot_offsets.py, tools/analysis/plot_curves.py) on a tiny synthetic clip.

The checkpoint is a random-init tiny LSTS written by mmcv's own ``save_checkpoint`` (what the
weights-only loader of mmlsts.compat must accept). Everything runs in this process; about 20 s
on one CPU thread.
"""
import importlib.util
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch
from mmcv import Config

import mmlsts  # noqa: F401  (registers LSTS before any model is built)
from mmlsts.apis import FrameResult, draw_frame, run_video_demo
from mmlsts.apis.demo import KEY_COLOUR
from mmlsts.apis.plot_offsets import config_init_offsets, load_offsets, plot_offsets
from mmlsts.datasets import LSTSVIDDataset, convert_ilsvrc, make_synthetic_vid
from mmlsts.keyframes import KeyframeSchedule

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs', 'vid')
TINY = osp.join(CONFIGS, 'lsts_tiny_synthetic.py')
FRAMES, HEIGHT, WIDTH = 12, 64, 80
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def _tool(name: str):
    """A tools/ script imported as a module (its main() runs in this process)."""
    path = osp.join(REPO, 'tools', name)
    spec = importlib.util.spec_from_file_location(f'_tool_{osp.basename(name)[:-3]}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    """(ILSVRC root, the folder of its one 12-frame val video), annotations converted."""
    root = tmp_path_factory.mktemp('demo') / 'ILSVRC'
    make_synthetic_vid(str(root), num_train_videos=1, num_val_videos=1, frames_per_video=FRAMES,
                       num_det_images=0, image_size=(HEIGHT, WIDTH), seed=5)
    convert_ilsvrc(str(root), str(root / 'annotations'), splits=('val',), progress=False)
    return root, root / 'Data' / 'VID' / 'val' / 'ILSVRC2015_val_00000000'


@pytest.fixture(scope='module')
def clip(synthetic):
    return str(synthetic[1])


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A random-init tiny LSTS saved as mmcv's runner saves checkpoints."""
    from mmcv.runner import save_checkpoint
    from mmtrack.datasets import ImagenetVIDDataset
    from mmtrack.models import build_model
    cfg = Config.fromfile(TINY)
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.init_weights()
    path = tmp_path_factory.mktemp('ckpt') / 'lsts_tiny_random.pth'
    save_checkpoint(model, str(path), meta=dict(CLASSES=ImagenetVIDDataset.CLASSES,
                                                config=cfg.pretty_text, epoch=0, iter=0))
    return str(path)


def _read_video(path: str) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(path)
    assert cap.isOpened(), path
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    return frames, fps


def _expected_lsts_keyframes(num_frames: int, interval: int = 10) -> list[int]:
    """LSTS 'middle': each segment's keyframe is the frame its memory is made from."""
    schedule = KeyframeSchedule(interval, 'middle')
    return sorted({schedule.key_frame_id(start, num_frames)
                   for start in range(0, num_frames, interval)})


# Demo ----------------------------------------------------------------------------------------
def test_demo_on_a_frame_folder_writes_a_playable_video_with_marked_keyframes(
        clip, checkpoint, tmp_path):
    out, frames_dir = str(tmp_path / 'demo.mp4'), str(tmp_path / 'frames')
    result = run_video_demo(TINY, checkpoint, clip, out, device='cpu', score_thr=1.0,
                            frames_dir=frames_dir, progress=False)
    frames, fps = _read_video(out)
    assert len(frames) == FRAMES == result.num_frames
    assert frames[0].shape == (HEIGHT, WIDTH, 3) and result.frame_size == (WIDTH, HEIGHT)
    assert fps == pytest.approx(25.0) and result.fps == 25.0  # a folder: the default
    assert result.has_key_frames
    assert result.key_frame_ids == _expected_lsts_keyframes(FRAMES) == [4, 11]
    assert sum(result.num_boxes) == 0  # score_thr=1.0: no box covers the marks checked below
    for frame_id in range(FRAMES):
        png = cv2.imread(osp.join(frames_dir, f'{frame_id:06d}.png'))
        border = png[1, WIDTH // 2]  # top border, middle
        assert (tuple(border) == KEY_COLOUR) == (frame_id in result.key_frame_ids), frame_id


def test_demo_feeds_the_model_as_the_test_dataset_does(synthetic, clip, checkpoint, tmp_path):
    """Same detections as the config's own test dataset + pipeline give (keyframe refs too)."""
    from mmcv.parallel import collate, scatter
    from mmtrack.apis import init_model
    root = synthetic[0]
    result = run_video_demo(TINY, checkpoint, clip, str(tmp_path / 'x.mp4'), device='cpu',
                            progress=False, return_detections=True)
    cfg = Config.fromfile(TINY)
    spec = dict(cfg.data.test, ann_file=str(root / 'annotations' / 'imagenet_vid_val.json'),
                img_prefix=str(root / 'Data' / 'VID'))
    spec.pop('type')
    dataset = LSTSVIDDataset(**spec)
    model = init_model(cfg, checkpoint, device='cpu')
    assert len(dataset) == FRAMES
    for idx in range(len(dataset)):
        data = scatter(collate([dataset[idx]], samples_per_gpu=1), [-1])[0]
        with torch.no_grad():
            expected = model(return_loss=False, rescale=True, **data)['det_bboxes']
        assert data['img_metas'][0][0]['frame_id'] == idx
        got = result.detections[idx]
        assert len(got) == len(expected) == 30
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_demo_on_a_video_file_uses_its_fps(clip, checkpoint, tmp_path):
    src = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(src, cv2.VideoWriter_fourcc(*'mp4v'), 10, (WIDTH, HEIGHT))
    for name in sorted(os.listdir(clip)):
        writer.write(cv2.imread(osp.join(clip, name)))
    writer.release()
    out = str(tmp_path / 'annotated.mp4')
    result = run_video_demo(TINY, checkpoint, src, out, device='cpu', progress=False)
    frames, fps = _read_video(out)
    assert len(frames) == result.num_frames == FRAMES
    assert frames[0].shape == (HEIGHT, WIDTH, 3)
    assert fps == pytest.approx(10.0) and result.fps == pytest.approx(10.0)
    assert result.key_frame_ids == _expected_lsts_keyframes(FRAMES)


def test_max_frames_shortens_the_clip_and_its_last_segment(clip, checkpoint, tmp_path):
    out = str(tmp_path / 'short.mp4')
    result = run_video_demo(TINY, checkpoint, clip, out, device='cpu', max_frames=3, fps=5,
                            out_scale=2.0, progress=False)
    frames, fps = _read_video(out)
    assert len(frames) == 3 and frames[0].shape == (2 * HEIGHT, 2 * WIDTH, 3)
    assert fps == pytest.approx(5.0)
    assert result.key_frame_ids == _expected_lsts_keyframes(3) == [2]


def test_keyframe_interval_from_cfg_options_reaches_the_keyframe_sampler(clip, checkpoint,
                                                                         tmp_path):
    result = run_video_demo(TINY, checkpoint, clip, str(tmp_path / 'k5.mp4'), device='cpu',
                            cfg_options={'data.test.ref_img_sampler.key_frame_interval': 5},
                            progress=False)
    assert result.key_frame_ids == _expected_lsts_keyframes(FRAMES, 5) == [2, 7, 11]


@pytest.mark.parametrize('method,cfg_options,keyframes', [
    ('dff', None, [0, 10]),  # every key_frame_interval-th frame
    ('selsa', {'data.test.ref_img_sampler.num_ref_imgs': 4,
               'data.test.ref_img_sampler.frame_range': 2}, []),
])
def test_demo_runs_other_vid_detectors(clip, tmp_path, method, cfg_options, keyframes):
    cfg = osp.join(CONFIGS, f'{method}_tiny_synthetic.py')
    out = str(tmp_path / f'{method}.mp4')
    result = run_video_demo(cfg, None, clip, out, device='cpu', cfg_options=cfg_options,
                            progress=False)
    assert len(_read_video(out)[0]) == FRAMES
    assert result.has_key_frames == bool(keyframes)
    assert result.key_frame_ids == keyframes


def test_demo_refuses_to_overwrite_and_overwrites_when_asked(clip, checkpoint, tmp_path):
    out = tmp_path / 'taken.mp4'
    out.write_bytes(b'keep me')
    with pytest.raises(FileExistsError, match='taken.mp4.*--overwrite'):
        run_video_demo(TINY, checkpoint, clip, str(out), device='cpu', progress=False)
    assert out.read_bytes() == b'keep me'
    demo = _tool('demo_vid.py')
    assert demo.main([TINY, checkpoint, clip, str(out), '--device', 'cpu', '--no-progress']) == 2
    assert out.read_bytes() == b'keep me'
    assert demo.main([TINY, checkpoint, clip, str(out), '--device', 'cpu', '--no-progress',
                      '--max-frames', '2', '--overwrite']) == 0
    assert len(_read_video(str(out))[0]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ['taken.mp4']  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() makes it, not private


def test_demo_errors_name_the_bad_argument(clip, checkpoint, tmp_path, capsys):
    missing = str(tmp_path / 'no_such_video.mp4')
    with pytest.raises(FileNotFoundError, match='no_such_video.mp4'):
        run_video_demo(TINY, checkpoint, missing, str(tmp_path / 'o.mp4'), progress=False)
    demo = _tool('demo_vid.py')
    assert demo.main([TINY, checkpoint, missing, str(tmp_path / 'o.mp4')]) == 2
    assert 'no_such_video.mp4 does not exist' in capsys.readouterr().err
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(ValueError, match='holds no image file'):
        run_video_demo(TINY, checkpoint, str(empty), str(tmp_path / 'o.mp4'), progress=False)
    with pytest.raises(ValueError, match=r'o\.gif must end in one of'):
        run_video_demo(TINY, checkpoint, clip, str(tmp_path / 'o.gif'), progress=False)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        run_video_demo(TINY, str(tmp_path / 'nope.pth'), clip, str(tmp_path / 'o.mp4'),
                       progress=False)
    assert not (tmp_path / 'o.mp4').exists()


def test_draw_frame_draws_boxes_above_the_threshold_and_marks_keyframes(checkpoint):
    from mmtrack.apis import init_model
    model = init_model(TINY, checkpoint, device='cpu')
    img = np.zeros((60, 80, 3), np.uint8)
    boxes = [np.zeros((0, 5), np.float32)] * 30
    boxes[0] = np.array([[10, 20, 50, 50, 0.9], [5, 5, 15, 15, 0.2]], np.float32)
    frame = FrameResult(3, img, dict(det_bboxes=boxes), key_frame=False)
    drawn, count = draw_frame(model, frame, score_thr=0.5)
    assert count == 1
    assert drawn[35, 10].any() and not drawn[10, 5].any()  # left edge of the kept box only
    assert not img.any()  # the input is left alone
    assert tuple(drawn[30, 0]) != KEY_COLOUR
    keyed, _ = draw_frame(model, FrameResult(3, img, dict(det_bboxes=boxes), key_frame=True))
    assert tuple(keyed[30, 0]) == KEY_COLOUR
    big, _ = draw_frame(model, frame, out_scale=2.0)
    assert big.shape == (120, 160, 3) and big[70, 20].any()  # the box scaled with the frame


# plot_offsets --------------------------------------------------------------------------------
def _is_png(path) -> bool:
    with open(path, 'rb') as f:
        return f.read(8) == PNG_MAGIC and osp.getsize(path) > 1000


def test_plot_offsets_from_a_checkpoint_and_from_a_config(checkpoint, tmp_path):
    learned, key = load_offsets(checkpoint)
    assert key == 'srfu.lsts.offsets' and learned.shape == (81, 2)
    np.testing.assert_array_equal(learned, config_init_offsets(TINY))  # not trained yet
    out = tmp_path / 'offsets.png'
    done = plot_offsets(str(out), checkpoint=checkpoint)  # init from the stored config
    assert _is_png(out) and done['init'] is not None and done['learned'] is not None
    config_only = tmp_path / 'init.png'
    tool = _tool(osp.join('analysis', 'plot_offsets.py'))
    assert tool.main([TINY, '--out', str(config_only)]) == 0
    assert _is_png(config_only)
    assert tool.main([TINY, '--out', str(config_only)]) == 2  # exists: kept
    gaussian = plot_offsets(str(tmp_path / 'g.png'), config=TINY, cfg_options={
        'model.srfu.lsts.offset_init': 'gaussian', 'model.srfu.lsts.num_offsets': 16})
    assert gaussian['init'].shape == (16, 2) and gaussian['learned'] is None


def test_plot_offsets_errors_clearly_without_offsets(tmp_path, capsys):
    ckpt = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(2, 3, 1, 1)}}, ckpt)
    with pytest.raises(KeyError, match=r"plain\.pth has no parameter ending in "
                                       r"'srfu\.lsts\.offsets'.*backbone\.conv1\.weight"):
        load_offsets(ckpt)
    tool = _tool(osp.join('analysis', 'plot_offsets.py'))
    assert tool.main([ckpt, '--out', str(tmp_path / 'x.png')]) == 2
    assert 'plain.pth has no parameter' in capsys.readouterr().err
    assert not (tmp_path / 'x.png').exists()
    faster = osp.join(CONFIGS, 'faster_rcnn_tiny_synthetic.py')
    with pytest.raises(ValueError, match='has no model.srfu'):
        config_init_offsets(faster)


# plot_curves ---------------------------------------------------------------------------------
def _write_log(path) -> None:
    """Two epochs of MMTracking's *.log.json, evaluated at the last epoch only (as our configs)."""
    lines = [{'env_info': 'sys.platform: linux', 'config': '', 'seed': 0}]
    for epoch in (1, 2):
        for it in (20, 40):
            loss = 2.0 / (epoch * it)
            lines.append({'mode': 'train', 'epoch': epoch, 'iter': it, 'lr': 0.02,
                          'data_time': 0.01, 'loss_rpn_cls': loss / 4, 'loss_rpn_bbox': 0.004,
                          'loss_cls': loss / 2, 'acc': 90.0, 'loss_bbox': 0.05, 'loss': loss,
                          'grad_norm': 1.5, 'time': 0.2})
    lines.append({'mode': 'val', 'epoch': 2, 'iter': 40, 'lr': 0.02, 'bbox_mAP': 0.4,
                  'bbox_mAP_50': 0.8, 'bbox_mAP_75': 0.4, 'bbox_mAP_s': 0.4, 'bbox_mAP_m': 0.5,
                  'bbox_mAP_l': -1.0, 'bbox_mAP_copypaste': '0.4 0.8 0.4 0.4 0.5 -1.0'})
    with open(path, 'w') as f:
        f.writelines(json.dumps(line) + '\n' for line in lines)


@pytest.mark.parametrize('key', ['loss', 'bbox_mAP_50'])
def test_plot_curves_writes_a_png_headless(tmp_path, monkeypatch, key):
    log = tmp_path / '20260101_000000.log.json'
    _write_log(log)
    out = tmp_path / f'{key}.png'
    monkeypatch.setattr(sys, 'argv', ['plot_curves.py'])
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.setenv('MPLBACKEND', 'Agg')
    tool = _tool(osp.join('analysis', 'plot_curves.py'))
    tool.main(['plot_curve', str(log), '--keys', key, '--out', str(out)])
    assert _is_png(out)
    with pytest.raises(SystemExit, match='exists; pass --overwrite'):
        tool.main(['plot_curve', str(log), '--keys', key, '--out', str(out)])
    with pytest.raises(SystemExit, match=r"has no \['bbox_mAP_5'\]"):
        tool.main(['plot_curve', str(log), '--keys', 'bbox_mAP_5', '--out', str(out) + '2'])
