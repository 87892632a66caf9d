"""The LSTS video detector (mmlsts.models.vid.LSTS), tiny config: training, testing, memory."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv import Config
from mmtrack.models import build_model

from mmlsts.keyframes import KeyframeSchedule, lsts_triple_frames

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = osp.join(REPO, 'configs', 'vid', 'lsts_tiny_synthetic.py')
H, W = 96, 128


def _build(**model_cfg):
    """The tiny config's LSTS with ``model_cfg`` overriding its model keys, seeded."""
    cfg = Config.fromfile(TINY)
    cfg.model.update(model_cfg)
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.init_weights()
    return model


def _model(**test_cfg):
    return _build(test_cfg=test_cfg or None)


def _meta(frame_id, video_id=0, is_video_data=True):
    return dict(img_shape=(H, W, 3), pad_shape=(H, W, 3), ori_shape=(H, W, 3), scale_factor=1.0,
                flip=False, frame_id=frame_id, video_id=video_id, is_video_data=is_video_data,
                filename=f'v{video_id}/{frame_id:06d}.JPEG')


def _clip(num_frames, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(1, 3, H, W, generator=gen) for _ in range(num_frames)]


def _train_batch(cur, old, new, is_video_data=True):
    frames = _clip(3, seed=cur)
    return dict(
        img=frames[0], img_metas=[_meta(cur, is_video_data=is_video_data)],
        gt_bboxes=[torch.tensor([[10., 20., 60., 70.], [70., 10., 120., 50.]])],
        gt_labels=[torch.tensor([0, 2])],
        ref_img=torch.stack(frames[1:], dim=1),
        ref_img_metas=[[_meta(old, is_video_data=is_video_data),
                        _meta(new, is_video_data=is_video_data)]])


def _count_calls(module, name):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    setattr(module, name, counted)
    return calls


MIDDLE = KeyframeSchedule(10, 'middle')


def _run_video(model, frames, video_id=0, schedule=MIDDLE):
    """Feed a clip as MMTracking's test loop does with the 'lsts_keyframe' sampler: each
    segment's first frame comes with the segment's keyframe as its one reference."""
    results = []
    with torch.no_grad():
        for frame_id, img in enumerate(frames):
            kwargs = {}
            if schedule.starts_segment(frame_id):
                key = schedule.key_frame_id(frame_id, len(frames))
                kwargs = dict(ref_img=[frames[key][:, None]],
                              ref_img_metas=[[[_meta(key, video_id)]]])
            results.append(model(img=[img], img_metas=[[_meta(frame_id, video_id)]],
                                 return_loss=False, rescale=True, **kwargs))
    return results


def test_forward_train_losses_are_finite_and_reach_offsets_and_both_quality_nets():
    model = _model()
    model.train()
    losses = model(**_train_batch(cur=12, old=3, new=9), return_loss=True)
    assert {'loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'loss_bbox'} <= set(losses)
    loss, log_vars = model._parse_losses(losses)
    assert all(np.isfinite(v) for v in log_vars.values())
    loss.backward()
    assert model.srfu.lsts.offsets.grad.abs().sum() > 0
    for quality in (model.srfu.quality, model.dfa.quality):
        # (The last bias shifts both candidates' scores alike: the softmax cancels it.)
        weights = [p for n, p in quality.named_parameters() if n.endswith('weight')]
        assert len(weights) == 3 and all(p.grad.abs().sum() > 0 for p in weights)
    assert model.dfa.low2high.layers[0].weight.grad.abs().sum() > 0


@pytest.mark.parametrize('old, new, cur, srfu_calls, dfa_calls', [
    (3, 3, 12, 0, 1),    # old == new: the plain new-key feature is the memory
    (3, 12, 12, 1, 0),   # new == t: the SRFU output is the current feature
])
def test_forward_train_degenerate_triples(old, new, cur, srfu_calls, dfa_calls):
    model = _model()
    srfu, dfa = _count_calls(model.srfu, 'forward'), _count_calls(model.dfa, 'forward')
    losses = model(**_train_batch(cur=cur, old=old, new=new), return_loss=True)
    assert torch.isfinite(model._parse_losses(losses)[0])
    assert (len(srfu), len(dfa)) == (srfu_calls, dfa_calls)


def test_forward_train_still_image_uses_the_plain_detector():
    model = _model()
    srfu, dfa = _count_calls(model.srfu, 'forward'), _count_calls(model.dfa, 'forward')
    high = _count_calls(model, 'extract_high')
    losses = model(**_train_batch(cur=0, old=0, new=0, is_video_data=False), return_loss=True)
    assert torch.isfinite(model._parse_losses(losses)[0])
    assert (len(srfu), len(dfa), len(high)) == (0, 0, 1)


def test_forward_train_without_two_refs_is_a_clear_error():
    batch = _train_batch(cur=12, old=3, new=9)
    batch['ref_img'] = batch['ref_img'][:, :1]
    with pytest.raises(ValueError, match='lsts_triple'):
        _model()(**batch, return_loss=True)


@pytest.mark.parametrize('position, keyframes', [('start', [0, 10, 20]), ('middle', [4, 14, 24])])
def test_high_part_runs_exactly_on_keyframes(position, keyframes):
    model = _model()
    model.eval()
    seen = []
    original = model.extract_high
    model.extract_high = lambda low: (seen.append(model.memo.frame_id), original(low))[1]
    srfu = _count_calls(model.srfu, 'forward')
    embeds = _count_calls(model.dfa, 'embed_memory')
    results = _run_video(model, _clip(25, seed=1), schedule=KeyframeSchedule(10, position))
    assert len(seen) == len(keyframes)         # one high pass per keyframe, none elsewhere
    assert len(srfu) == len(keyframes) - 1     # the first keyframe starts the memory
    assert len(embeds) == len(keyframes)       # f(M_k) once per keyframe, not per frame
    assert model.memo.key_id == keyframes[-1]
    for result in results:
        assert set(result) == {'det_bboxes'} and len(result['det_bboxes']) == 30
        assert all(r.ndim == 2 and r.shape[1] == 5 for r in result['det_bboxes'])


@pytest.mark.parametrize('num_frames', [1, 3])
@pytest.mark.parametrize('position', ['start', 'middle'])
def test_short_videos(num_frames, position):
    model = _model()
    model.eval()
    schedule = KeyframeSchedule(10, position)
    assert len(_run_video(model, _clip(num_frames, seed=2), schedule=schedule)) == num_frames


@pytest.mark.parametrize('position', ['start', 'middle'])
def test_memory_resets_between_videos(position):
    model = _model()
    model.eval()
    video_a, video_b = _clip(13, seed=3), _clip(12, seed=4)
    schedule = KeyframeSchedule(10, position)
    alone = _run_video(copy.deepcopy(model), video_b, video_id=2, schedule=schedule)
    _run_video(model, video_a, video_id=1, schedule=schedule)
    after_a = _run_video(model, video_b, video_id=2, schedule=schedule)
    for r1, r2 in zip(alone, after_a):
        for a, b in zip(r1['det_bboxes'], r2['det_bboxes']):
            np.testing.assert_array_equal(a, b)


def test_bad_test_settings_and_inputs_are_clear_errors():
    # the schedule is the test sampler's: the old test_cfg keys are refused, naming the place
    for key, value in (('key_frame_interval', 5), ('key_frame_position', 'start')):
        with pytest.raises(ValueError, match=f"test_cfg.{key} is not read.*ref_img_sampler"):
            _model(**{key: value})
    model = _model()
    model.eval()
    frames = _clip(3, seed=5)
    key = dict(ref_img=[frames[0][:, None]], ref_img_metas=[[[_meta(0)]]])
    with torch.no_grad():
        model(img=[frames[0]], img_metas=[[_meta(0)]], return_loss=False, **key)
        model(img=[frames[1]], img_metas=[[_meta(2)]], return_loss=False)
        with pytest.raises(ValueError, match='increasing order'):
            model(img=[frames[2]], img_metas=[[_meta(1)]], return_loss=False)
        # a new video must start with its keyframe reference (inference_vid gives none)
        with pytest.raises(ValueError, match="starts a video.*lsts_keyframe.*VideoInference"):
            model(img=[frames[2]], img_metas=[[_meta(3, video_id=9)]], return_loss=False)
        model.reset_memory()
        with pytest.raises(ValueError, match='starts a video'):
            model(img=[frames[0]], img_metas=[[_meta(0)]], return_loss=False)
        # a reference behind the frame, or two references, is not a keyframe of LSTS's sampler
        model.reset_memory()
        with pytest.raises(ValueError, match=r"frame 5 came with reference frame 0;.*keyframe"):
            model(img=[frames[1]], img_metas=[[_meta(0, video_id=3)]], return_loss=False,
                  ref_img=[frames[0][:, None]], ref_img_metas=[[[_meta(0)]]])
            model(img=[frames[1]], img_metas=[[_meta(5, video_id=3)]], return_loss=False,
                  ref_img=[frames[0][:, None]], ref_img_metas=[[[_meta(0)]]])
        model.reset_memory()
        with pytest.raises(ValueError, match=r"reference frames \[4, 5\]"):
            model(img=[frames[0]], img_metas=[[_meta(0)]], return_loss=False,
                  ref_img=[torch.stack([frames[1], frames[2]], dim=1)],
                  ref_img_metas=[[[_meta(4), _meta(5)]]])


def test_the_keyframe_reference_decides_the_segment():
    """Any schedule the sampler uses is followed: interval 4, 'middle', on a 9-frame clip."""
    model = _model()
    model.eval()
    seen = []
    original = model.extract_high
    model.extract_high = lambda low: (seen.append(model.memo.frame_id), original(low))[1]
    _run_video(model, _clip(9, seed=6), schedule=KeyframeSchedule(4, 'middle'))
    # high parts run at the segment starts 0, 4, 8 (where the refs 1, 5, 8 come)
    assert seen == [0, 4, 8] and model.memo.key_id == 8


def test_bad_low_level_split_is_a_clear_error():
    cfg = Config.fromfile(TINY)
    cfg.model.low_level = ('layer3', 9)
    with pytest.raises(ValueError, match='low_level blocks'):
        build_model(cfg.model)


def test_sampling_rules():
    for frame in range(30):
        old, new = lsts_triple_frames(frame, 30)
        assert max(0, frame - 10) <= old <= max(0, frame - 6)
        assert max(0, frame - 5) <= new <= min(29, frame + 4)
        assert old <= new


def _model_with_low2high_loss(weight):
    return _build(low2high_loss_weight=weight).train()


def test_low2high_loss_is_off_by_default_and_its_weight_is_checked():
    model = _model().train()
    assert 'loss_low2high' not in model(**_train_batch(cur=12, old=3, new=9), return_loss=True)
    with pytest.raises(ValueError, match='low2high_loss_weight must be >= 0, got -1'):
        _model_with_low2high_loss(-1.0)


def test_low2high_loss_is_the_weighted_normalised_error_to_the_frames_own_high_feature():
    model = _model_with_low2high_loss(2.0)
    batch = _train_batch(cur=12, old=3, new=9)
    losses = model(**batch, return_loss=True)
    with torch.no_grad():
        low = model.extract_low(batch['img'])
        current, own = model.dfa.low2high(low), model.extract_high(low)
    expected = 2.0 * (current - own).pow(2).mean() / own.pow(2).mean()
    torch.testing.assert_close(losses['loss_low2high'], expected)
    # Keyframe samples and still images log the key too, as zero.
    for batch in (_train_batch(cur=12, old=3, new=12),
                  _train_batch(cur=12, old=12, new=12, is_video_data=False)):
        assert model(**batch, return_loss=True)['loss_low2high'] == 0


def test_low2high_loss_teaches_low2high_the_frames_own_high_feature():
    """Steps on the loss alone move low2high towards the frame's high feature, and leave the
    high part (the target) alone."""
    model = _model_with_low2high_loss(1.0)
    batch = _train_batch(cur=12, old=3, new=9)
    optimizer = torch.optim.SGD(model.dfa.low2high.parameters(), lr=0.5)
    high_before = copy.deepcopy(model.detector.backbone.layer4.state_dict())
    seen = []
    for _ in range(20):
        loss = model(**batch, return_loss=True)['loss_low2high']
        seen.append(loss.item())
        model.zero_grad()
        loss.backward()
        assert all(p.grad is None for p in model.detector.backbone.layer4.parameters())
        optimizer.step()
    assert seen[-1] < 0.5 * seen[0]
    for name, value in model.detector.backbone.layer4.state_dict().items():
        torch.testing.assert_close(value, high_before[name])
