"""The one keyframe rule (mmlsts.keyframes): its schedule, and where configs set it."""
import os.path as osp

import pytest
from mmcv import Config

from mmlsts.keyframes import KeyframeSchedule, keyframe_schedule

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_middle_is_the_official_tester_clipped_to_the_video():
    middle = KeyframeSchedule()
    assert (middle.interval, middle.position) == (10, 'middle')
    assert [middle.key_frame_id(f, 25) for f in (0, 9, 10, 20, 24)] == [4, 4, 14, 24, 24]
    assert [middle.key_frame_id(f, 22) for f in (20, 21)] == [21, 21]
    assert [f for f in range(25) if middle.is_key_frame(f, 25)] == [4, 14, 24]
    assert [f for f in range(25) if middle.starts_segment(f)] == [0, 10, 20]
    with pytest.raises(ValueError, match='num_frames'):
        middle.key_frame_id(3)


def test_start_keys_each_segment_at_its_first_frame():
    start = KeyframeSchedule(4, 'start')
    assert [start.key_frame_id(f) for f in range(9)] == [0, 0, 0, 0, 4, 4, 4, 4, 8]
    assert [f for f in range(9) if start.is_key_frame(f)] == [0, 4, 8]


@pytest.mark.parametrize('interval, position, match', [
    (0, 'middle', 'key_frame_interval'), (2.5, 'middle', 'key_frame_interval'),
    (10, 'end', 'key_frame_position')])
def test_bad_schedules_name_the_setting(interval, position, match):
    with pytest.raises(ValueError, match=match):
        KeyframeSchedule(interval, position)


@pytest.mark.parametrize('config, expected', [
    ('lsts_r101.py', KeyframeSchedule(10, 'middle')),
    ('lsts_r101_online.py', KeyframeSchedule(10, 'start')),
    ('lsts_tiny_synthetic.py', KeyframeSchedule(10, 'middle')),
    ('dff_r101.py', KeyframeSchedule(10, 'start')),
    ('selsa_r101.py', None),
    ('fgfa_tiny_synthetic.py', None),
    ('faster_rcnn_tiny_synthetic.py', None),
])
def test_configs_set_the_schedule_once(config, expected):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'vid', config))
    assert keyframe_schedule(cfg) == expected
    if cfg.model.get('type') == 'LSTS':  # the test sampler is the one place, val follows it
        assert not (cfg.model.get('test_cfg') or {})
        assert cfg.data.val.ref_img_sampler == cfg.data.test.ref_img_sampler
        cfg.merge_from_dict({'data.test.ref_img_sampler.key_frame_interval': 5})
        assert keyframe_schedule(cfg) == KeyframeSchedule(5, expected.position)
