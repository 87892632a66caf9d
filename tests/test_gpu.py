"""The whole LSTS detector on a GPU: training steps and test videos, fp32 and fp16.

Every GPU test runs where torch sees a CUDA device and is reported as skipped elsewhere (the
``gpu`` marker: ``pytest -m gpu`` selects them, ``pytest -ra`` shows why they skipped).
tools/gpu_check.sh runs them on a GPU machine (docs/gpu.md). Where a CPU twin exists it
runs everywhere, the same code on the CPU, so these tests cannot rot while no GPU runs them:

* fp32 training and testing: CPU twin;
* fp16 the way MMTracking runs it (``fp16 = dict(loss_scale=...)`` in a config, i.e. mmcv's
  ``wrap_fp16_model``: the model runs under ``torch.autocast`` fp16, mmcv's box/RoI ops get fp32
  inputs through mmdet's ``force_fp32``): GPU only, as mmcv's fp16 mode is CUDA-only;
* our own modules (split backbone, SRFU, DFA, the LSTS op) under plain ``torch.autocast``:
  float16 on the GPU, bfloat16 as the CPU twin, both compared with fp32.

With random weights the detector's scores are nearly uniform, so which 100 boxes survive NMS is
decided by rounding; CPU and GPU are compared where the arithmetic is deterministic: the features
LSTS builds, the RPN maps and the box head on fixed RoIs (TF32 off for those comparisons).
"""
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv import Config
from mmcv.runner import wrap_fp16_model
from mmtrack.models import build_model

from mmlsts.keyframes import KeyframeSchedule

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py')
H, W = 96, 128
NO_CUDA = 'needs a CUDA device (torch.cuda.is_available() is False here)'
GPU = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)]
DEVICES = ['cpu', pytest.param('cuda', marks=GPU)]
# CPU twins, then the same on the GPU; fp16 (mmcv's fp16 mode) exists on the GPU only.
CASES = [('cpu', 'fp32'), pytest.param('cuda', 'fp32', marks=GPU),
         pytest.param('cuda', 'fp16', marks=GPU)]
# What plain torch.autocast offers per device for the twins of our own modules.
AMP_DTYPE = {'cpu': torch.bfloat16, 'cuda': torch.float16}


@pytest.fixture
def no_tf32():
    """Plain fp32 arithmetic on the GPU (cuDNN convolutions default to TF32 on Ampere+)."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def _model(device, precision='fp32'):
    cfg = Config.fromfile(TINY)
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.init_weights()
    if precision == 'fp16':
        wrap_fp16_model(model)  # what MMTracking's tools do for `fp16 = dict(...)` configs
    return model.to(device)


def _meta(frame_id, video_id=0, is_video_data=True):
    return dict(img_shape=(H, W, 3), pad_shape=(H, W, 3), ori_shape=(H, W, 3), scale_factor=1.0,
                flip=False, frame_id=frame_id, video_id=video_id, is_video_data=is_video_data,
                filename=f'v{video_id}/{frame_id:06d}.JPEG')


def _clip(num_frames, seed, device):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(1, 3, H, W, generator=gen).to(device) for _ in range(num_frames)]


def _train_batch(device, cur=12, old=3, new=9):
    frames = _clip(3, seed=cur, device=device)
    return dict(
        img=frames[0], img_metas=[_meta(cur)],
        gt_bboxes=[torch.tensor([[10., 20., 60., 70.], [70., 10., 120., 50.]], device=device)],
        gt_labels=[torch.tensor([0, 2], device=device)],
        ref_img=torch.stack(frames[1:], dim=1),
        ref_img_metas=[[_meta(old), _meta(new)]])


def _record_dtype(module):
    """The dtypes ``module`` produced, to prove that reduced precision really ran."""
    seen = []
    module.register_forward_hook(lambda mod, args, out: seen.append(out.dtype))
    return seen


@pytest.mark.parametrize('device, precision', CASES)
def test_training_steps_forward_and_backward(device, precision):
    model = _model(device, precision).train()
    conv1 = _record_dtype(model.detector.backbone.conv1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    # As mmcv's Fp16OptimizerHook: a dynamic loss scale, gradients unscaled before the step.
    scaler = torch.amp.GradScaler('cuda', enabled=precision == 'fp16')
    losses = []
    for _ in range(2):
        optimizer.zero_grad()
        loss, log_vars = model._parse_losses(model(**_train_batch(device), return_loss=True))
        assert loss.dtype == torch.float32
        assert all(np.isfinite(v) for v in log_vars.values()), log_vars
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
        assert all(torch.isfinite(g).all() for g in grads.values())
        scaler.step(optimizer)
        scaler.update()
        losses.append(loss.item())
    assert all(np.isfinite(losses))
    assert all(p.device.type == device and p.dtype == torch.float32 for p in model.parameters())
    assert set(conv1) == {torch.float16 if precision == 'fp16' else torch.float32}
    # Gradients reach the LSTS parts, not only the detector.
    assert grads['srfu.lsts.offsets'].abs().sum() > 0
    assert model.dfa.low2high.layers[0].weight.grad.abs().sum() > 0


def _run_video(model, frames, position='middle'):
    """The test loop on one clip (each segment's first frame gets its keyframe as reference, as
    the 'lsts_keyframe' sampler gives it); also records the feature every frame was detected
    on."""
    feats = []
    extract = model.extract_feats

    def recorded(*args, **kwargs):
        x = extract(*args, **kwargs)
        feats.append(x[0])
        return x

    model.extract_feats = recorded
    results = []
    schedule = KeyframeSchedule(10, position)
    with torch.no_grad():
        for frame_id, img in enumerate(frames):
            kwargs = {}
            if schedule.starts_segment(frame_id):
                key = schedule.key_frame_id(frame_id, len(frames))
                kwargs = dict(ref_img=[frames[key][:, None]], ref_img_metas=[[[_meta(key)]]])
            results.append(model(img=[img], img_metas=[[_meta(frame_id)]], return_loss=False,
                                 rescale=True, **kwargs))
    return results, feats


def _check_results(results, num_frames):
    assert len(results) == num_frames
    for result in results:
        assert set(result) == {'det_bboxes'} and len(result['det_bboxes']) == 30
        boxes = np.concatenate(result['det_bboxes'])
        assert boxes.shape[1] == 5 and len(boxes) <= 100 and np.isfinite(boxes).all()


@pytest.mark.parametrize('position', ['start', 'middle'])
@pytest.mark.parametrize('device, precision', CASES)
def test_video_sequence(device, precision, position):
    frames = 12 if device == 'cuda' else 6  # 12: two segments of 10, the second one short
    model = _model(device, precision).eval()
    conv1 = _record_dtype(model.detector.backbone.conv1)
    results, feats = _run_video(model, _clip(frames, seed=1, device=device), position)
    _check_results(results, frames)
    assert len(feats) == frames and all(torch.isfinite(f).all() for f in feats)
    assert set(conv1) == {torch.float16 if precision == 'fp16' else torch.float32}


def _lsts_features(model, batch):
    """Frame t's feature after SRFU + DFA from its two keyframes: our modules end to end."""
    ref = batch['ref_img']
    memory = model.srfu(model.extract_high(model.extract_low(ref[:, 0])),
                        model.extract_high(model.extract_low(ref[:, 1])))
    updated = model.dfa(memory, model.extract_low(batch['img']))
    return memory, updated


def _relative_error(a, b):
    a, b = a.detach().float().cpu(), b.detach().float().cpu()
    return ((a - b).norm() / b.norm()).item()


@pytest.mark.parametrize('device', DEVICES)
def test_our_modules_under_autocast_stay_close_to_fp32(device):
    """Plain torch.autocast over the split backbone, SRFU, DFA and the LSTS op: float16 on the
    GPU, bfloat16 (the CPU's reduced precision) as the twin; gradients flow in both."""
    model = _model(device).train()
    batch = _train_batch(device)
    full = _lsts_features(model, batch)
    with torch.autocast(device, dtype=AMP_DTYPE[device]):
        reduced = _lsts_features(model, batch)
    for a, b in zip(reduced, full):
        assert a.dtype in (AMP_DTYPE[device], torch.float32)
        assert torch.isfinite(a).all()
        assert _relative_error(a, b) < 3e-2
    reduced[1].float().square().mean().backward()
    assert torch.isfinite(model.srfu.lsts.offsets.grad).all()
    assert model.srfu.lsts.offsets.grad.abs().sum() > 0


def _dense_outputs(model, feat):
    """Deterministic heads on one feature: the RPN maps and the box head on fixed RoIs."""
    det = model.detector
    rpn_cls, rpn_reg = det.rpn_head((feat,))
    corners = torch.tensor([[4., 4., 40., 36.], [30., 20., 110., 90.], [0., 0., 127., 95.],
                            [60., 8., 100., 80.]], device=feat.device)
    rois = torch.cat([corners.new_zeros(len(corners), 1), corners], dim=1)
    cls, reg = det.roi_head.bbox_head(det.roi_head.bbox_roi_extractor([feat], rois))
    return [t.float() for t in (*rpn_cls, *rpn_reg, cls, reg)]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
@pytest.mark.parametrize('position', ['start', 'middle'])
def test_video_on_cuda_matches_cpu(position, no_tf32):
    frames = _clip(12, seed=1, device='cpu')
    outs = {}
    for device in ('cpu', 'cuda'):
        model = _model(device).eval()
        results, feats = _run_video(model, [f.to(device) for f in frames], position)
        _check_results(results, len(frames))
        with torch.no_grad():
            outs[device] = [(f, _dense_outputs(model, f)) for f in feats]
    for (feat_cpu, dense_cpu), (feat_gpu, dense_gpu) in zip(outs['cpu'], outs['cuda']):
        torch.testing.assert_close(feat_gpu.cpu(), feat_cpu, atol=1e-4, rtol=1e-3)
        for a, b in zip(dense_gpu, dense_cpu):
            torch.testing.assert_close(a.cpu(), b, atol=1e-4, rtol=1e-3)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
def test_training_features_on_cuda_match_cpu(no_tf32):
    """The part of a training step before the RPN/RoI samplers (which draw random numbers per
    device) is deterministic: the memory and frame t's feature after SRFU + DFA."""
    outs = {}
    for device in ('cpu', 'cuda'):
        with torch.no_grad():
            outs[device] = _lsts_features(_model(device).train(), _train_batch(device))
    for a, b in zip(outs['cuda'], outs['cpu']):
        torch.testing.assert_close(a.cpu(), b, atol=1e-4, rtol=1e-3)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
def test_video_fp16_stays_close_to_fp32():
    frames = _clip(12, seed=1, device='cuda')
    _, full = _run_video(_model('cuda').eval(), frames)
    _, half = _run_video(_model('cuda', 'fp16').eval(), frames)
    errors = [_relative_error(h, f) for h, f in zip(half, full)]
    assert max(errors) < 3e-2, errors


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
@pytest.mark.xfail(strict=False, reason='mmcv 1.x RoIAlign takes fp16 features only with fp16 '
                   'RoIs; fp16 detection goes through wrap_fp16_model (fp16 = dict(...))')
def test_whole_detector_under_plain_autocast():
    """Recorded, not required: the whole detector inside a plain torch.autocast region, without
    mmcv's fp16 mode. XPASS here means plain autocast works too."""
    model = _model('cuda').eval()
    with torch.autocast('cuda', dtype=torch.float16):
        results, _ = _run_video(model, _clip(12, seed=1, device='cuda'))
    _check_results(results, 12)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
def test_mmcv_ops_were_built_with_cuda_kernels():
    """RoIAlign and NMS run on the GPU only when mmcv-full was compiled with CUDA
    (MMLSTS_CUDA=1 bash tools/setup_env.sh, or tools/gpu_check.sh)."""
    from mmcv.ops import RoIAlign, get_compiling_cuda_version, nms
    assert get_compiling_cuda_version() != 'not available', \
        'mmcv-full has no CUDA ops: rebuild it with MMLSTS_CUDA=1 bash tools/setup_env.sh'
    gen = torch.Generator().manual_seed(0)
    xy = torch.rand(200, 2, generator=gen) * 100
    boxes = torch.cat([xy, xy + 5 + torch.rand(200, 2, generator=gen) * 30], dim=1)
    scores = torch.rand(200, generator=gen)
    keep_cpu = nms(boxes, scores, 0.5)[1]
    keep_gpu = nms(boxes.cuda(), scores.cuda(), 0.5)[1]
    assert torch.equal(keep_gpu.cpu(), keep_cpu)
    feat = torch.randn(1, 8, 24, 32, generator=gen)
    rois = torch.tensor([[0., 2., 3., 20., 18.], [0., 10.5, 1.25, 30., 22.]])
    align = RoIAlign((7, 7), spatial_scale=1.0, sampling_ratio=2, aligned=True)
    torch.testing.assert_close(align(feat.cuda(), rois.cuda()).cpu(), align(feat, rois),
                               atol=1e-5, rtol=1e-4)
