"""Per-frame inference: MMTracking's ``inference_vid`` on LSTS, and ``mmlsts.apis.VideoInference``
(frames pushed in order, each result out once its keyframe / references are seen) giving what
``tools/test.py`` gives, on a 12-frame synthetic val video with a seeded random-init tiny model.
"""
import copy
import os
import os.path as osp
import subprocess
import sys

import mmcv
import numpy as np
import pytest
import torch
from mmcv import Config
from mmcv.parallel import collate, scatter

import mmlsts  # noqa: F401  (registers LSTS before any model is built)
from mmlsts.apis import VideoInference
from mmlsts.datasets import convert_ilsvrc, make_synthetic_vid
from mmlsts.keyframes import KeyframeSchedule

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs', 'vid')
TINY = osp.join(CONFIGS, 'lsts_tiny_synthetic.py')
FRAMES = 12
START = {'data.test.ref_img_sampler.key_frame_position': 'start'}


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    """(ILSVRC root, the 12 frame files of its one val video), annotations converted."""
    root = tmp_path_factory.mktemp('inference') / 'ILSVRC'
    make_synthetic_vid(str(root), num_train_videos=1, num_val_videos=1, frames_per_video=FRAMES,
                       num_det_images=0, image_size=(64, 80), seed=3)
    convert_ilsvrc(str(root), str(root / 'annotations'), splits=('val',), progress=False)
    clip = root / 'Data' / 'VID' / 'val' / 'ILSVRC2015_val_00000000'
    return root, [str(clip / name) for name in sorted(os.listdir(clip))]


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A seeded random-init tiny LSTS, saved as mmcv's runner saves checkpoints."""
    from mmcv.runner import save_checkpoint
    from mmtrack.datasets import ImagenetVIDDataset
    from mmtrack.models import build_model
    torch.manual_seed(0)
    model = build_model(Config.fromfile(TINY).model)
    model.init_weights()
    path = str(tmp_path_factory.mktemp('ckpt') / 'lsts_tiny_random.pth')
    save_checkpoint(model, path, meta=dict(CLASSES=ImagenetVIDDataset.CLASSES))
    return path


def _model(config=TINY, checkpoint=None, cfg_options=None):
    from mmtrack.apis import init_model
    return init_model(config, checkpoint, device='cpu', cfg_options=cfg_options)


def _data_paths(root) -> dict:
    return {'data.test.ann_file': str(root / 'annotations' / 'imagenet_vid_val.json'),
            'data.test.img_prefix': str(root / 'Data' / 'VID')}


def _assert_same(got: list, expected: list) -> None:
    assert len(got) == len(expected)
    for frame_id, (a, b) in enumerate(zip(got, expected)):
        assert len(a) == len(b) == 30, frame_id
        for cls, (x, y) in enumerate(zip(a, b)):
            assert x.shape == y.shape, (frame_id, cls)
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5, err_msg=f'frame {frame_id}')


# mmtrack.apis.inference_vid --------------------------------------------------------------------
def test_inference_vid_keys_lsts_at_its_frame_stride(synthetic, checkpoint):
    """inference_vid gives a frame copies of itself at frame 0 and every frame_stride-th frame:
    LSTS keys those frames, as 'start' does (its own sampler is not run)."""
    from mmtrack.apis import inference_vid
    frames = [mmcv.imread(f) for f in synthetic[1]]
    model = _model(checkpoint=checkpoint)
    for stride, keys in ((10, [0] * 10 + [10] * 2), (4, [0] * 4 + [4] * 4 + [8] * 4)):
        memory_from = []
        for frame_id, img in enumerate(frames):
            result = inference_vid(model, img, frame_id=frame_id,
                                   ref_img_sampler=dict(frame_stride=stride, num_left_ref_imgs=10))
            assert len(result['det_bboxes']) == 30
            assert all(b.ndim == 2 and b.shape[1] == 5 for b in result['det_bboxes'])
            memory_from.append(model.memo.key_id)
        assert memory_from == keys


# VideoInference ---------------------------------------------------------------------------------
def test_video_inference_gives_what_tools_test_gives_in_middle_mode(synthetic, checkpoint,
                                                                     tmp_path):
    root, files = synthetic
    out = str(tmp_path / 'results.pkl')
    options = [f'{k}={v}' for k, v in _data_paths(root).items()]
    env = dict(os.environ, OMP_NUM_THREADS=str(torch.get_num_threads()))
    run = subprocess.run([sys.executable, osp.join(REPO, 'tools', 'test.py'), TINY,
                          '--checkpoint', checkpoint, '--out', out, '--cfg-options', *options],
                         cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    expected = mmcv.load(out)['det_bboxes']
    assert len(expected) == FRAMES
    model = _model(checkpoint=checkpoint)
    video = VideoInference(model)
    assert video.schedule == KeyframeSchedule(10, 'middle')
    from_files = video(files)  # paths: loaded by the config's own loader
    assert [f.frame_id for f in from_files] == list(range(FRAMES))
    _assert_same([f.result['det_bboxes'] for f in from_files], expected)
    from_arrays = video([mmcv.imread(f) for f in files])  # decoded frames, as a video gives
    _assert_same([f.result['det_bboxes'] for f in from_arrays], expected)
    assert [f.frame_id for f in from_arrays if f.key_frame] == [4, 11]


@pytest.mark.parametrize('interval,ready,keyframes', [
    # push i returns these frames; the last segment (10, 11) waits for the end: its keyframe
    # is clipped to the last frame
    (10, [[], [], [], [], [0, 1, 2, 3, 4], [5], [6], [7], [8], [9], [], []], [4, 11]),
    (5, [[], [], [0, 1, 2], [3], [4], [], [], [5, 6, 7], [8], [9], [], []], [2, 7, 11]),
])
def test_middle_results_come_out_as_soon_as_their_keyframe_is_pushed(synthetic, interval, ready,
                                                                     keyframes):
    model = _model(cfg_options={'data.test.ref_img_sampler.key_frame_interval': interval})
    video = VideoInference(model)
    pushed = [video.push(f) for f in synthetic[1]]
    assert [[r.frame_id for r in out] for out in pushed] == ready
    rest = video.flush()
    assert [r.frame_id for r in rest] == [10, 11]
    done = [r for out in pushed for r in out] + rest
    assert [r.frame_id for r in done if r.key_frame] == keyframes
    assert model.memo.key_id == keyframes[-1]  # the model followed the sampler's keyframes
    assert all(r.img == f for r, f in zip(done, synthetic[1]))
    with pytest.raises(RuntimeError, match='push after flush'):
        video.push(synthetic[1][0])


def test_start_mode_returns_every_frame_at_once(synthetic):
    video = VideoInference(_model(cfg_options=START))
    pushed = [[r.frame_id for r in video.push(f)] for f in synthetic[1]]
    assert pushed == [[i] for i in range(FRAMES)] and video.flush() == []


@pytest.mark.parametrize('method,cfg_options,ready_at_once', [
    ('dff', None, True),  # no reference frames: no delay
    # FGFA needs frames up to frame_range[1] ahead, SELSA the whole video
    ('fgfa', {'data.test.ref_img_sampler.num_ref_imgs': 4,
              'data.test.ref_img_sampler.frame_range': [-2, 2]}, False),
    ('selsa', {'data.test.ref_img_sampler.num_ref_imgs': 4}, False),
])
def test_other_methods_get_what_their_test_dataset_gives(synthetic, method, cfg_options,
                                                         ready_at_once):
    from mmtrack.datasets import build_dataset
    root, files = synthetic
    cfg = Config.fromfile(osp.join(CONFIGS, f'{method}_tiny_synthetic.py'))
    cfg.merge_from_dict(dict(cfg_options or {}, **_data_paths(root)))
    torch.manual_seed(0)
    model = _model(cfg)
    dataset = build_dataset(copy.deepcopy(cfg.data.test))  # its sampler may change its settings
    expected = []
    for idx in range(len(dataset)):
        data = scatter(collate([dataset[idx]], samples_per_gpu=1), [-1])[0]
        with torch.no_grad():
            expected.append(model(return_loss=False, rescale=True, **data)['det_bboxes'])
    video = VideoInference(model)
    pushed = [video.push(f) for f in files]
    done = [r for out in pushed for r in out] + video.flush()
    _assert_same([r.result['det_bboxes'] for r in done], expected)
    if ready_at_once:
        assert [[r.frame_id for r in out] for out in pushed] == [[i] for i in range(FRAMES)]
    elif method == 'fgfa':  # frame t comes out when frame t + 2 is pushed
        assert [[r.frame_id for r in out] for out in pushed] == [[]] * 2 + [[i] for i in
                                                                           range(FRAMES - 2)]
    else:
        assert pushed == [[]] * FRAMES
    expected_keys = list(range(0, FRAMES, 10)) if method == 'dff' else []
    assert [r.frame_id for r in done if r.key_frame] == expected_keys


def test_video_inference_errors_name_what_to_fix(synthetic, tmp_path):
    cfg = Config.fromfile(TINY)
    model = _model(cfg, cfg_options=START)
    with pytest.raises(TypeError, match=r'an image path or an \(H, W, 3\) BGR array'):
        VideoInference(model).push(np.zeros((4, 4), np.uint8))
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='could not read the image .*broken.jpg'):
        VideoInference(model).push(str(broken))
    model.cfg = cfg.copy()
    model.cfg.data.test.pipeline[0] = dict(type='LoadImageFromWebcam')
    with pytest.raises(ValueError, match='must start with one of'):
        VideoInference(model)
