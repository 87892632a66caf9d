"""The configs say each thing once: what their inheritance must keep true.

The tiny configs take their detector from ``_base_/models/faster_rcnn_tiny_dc5.py``, their data
from ``_base_/datasets/synthetic_vid.py`` and their schedule from
``_base_/schedules/synthetic_vid_12e.py``; each R-50 config and its tiny twin share the method's
model base and sampling style. These tests check the facts that make the comparisons fair (one
detector for every method, one reference sampling per method whatever the data) rather than a
snapshot of the numbers.
"""
import pytest
from mmcv import Config

VID = 'configs/vid'
METHODS = ('lsts', 'dff', 'fgfa', 'selsa')
TINY = [f'{m}_tiny_synthetic' for m in METHODS]
# What a tiny config may change in its R-50 twin: the data's root and scale, the detector's widths
# (tiny_detector), the width of the method's own modules, FlowNet's download, and the schedule.
TINY_MAY_CHANGE = {
    'common': ('data_root', 'img_scale', 'train_pipeline', 'test_pipeline', 'test_pipelines',
               'train_sets', 'online_train_sampler', 'tiny_detector', 'tiny_norm_cfg', 'tiny_lsts',
               'model.detector.', 'data.workers_per_gpu', 'optimizer.lr', 'lr_config.warmup_iters',
               'lr_config.step', 'total_epochs', 'checkpoint_config.interval',
               'evaluation.interval', 'log_config.interval', 'dist_params.backend'),
    'lsts': ('model.low_level', 'model.srfu.', 'model.dfa.'),
    'dff': ('model.motion.init_cfg',),
    'fgfa': ('model.motion.init_cfg', 'model.aggregator.channels'),
    'selsa': (),
}
DATA_FILE_KEYS = ('ann_file', 'img_prefix', 'pipeline')  # where the data root and scale show


def load(name: str) -> Config:
    return Config.fromfile(f'{VID}/{name}.py', import_custom_modules=False)


def flat(node, prefix: str = '') -> dict:
    """{'a.b.0.c': leaf} for every leaf of nested dicts and lists."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)) and any(isinstance(x, (dict, list)) for x in node):
        items = ((str(i), x) for i, x in enumerate(node))
    else:
        return {prefix[:-1]: node}
    out = {}
    for key, value in items:
        out.update(flat(value, f'{prefix}{key}.'))
    return out


def changed(a: Config, b: Config) -> set:
    fa, fb = flat(a._cfg_dict.to_dict()), flat(b._cfg_dict.to_dict())
    return {k for k in fa.keys() | fb.keys() if fa.get(k, '<absent>') != fb.get(k, '<absent>')}


def is_override(over: dict, full: dict, path: str = '') -> None:
    """Every leaf of ``over`` is in ``full`` with the same value."""
    for key, value in over.items():
        assert key in full, f'{path}{key} missing'
        if isinstance(value, dict):
            is_override(value, full[key], f'{path}{key}.')
        else:
            assert full[key] == value, f'{path}{key}: {full[key]!r} != {value!r}'


@pytest.mark.parametrize('name', TINY + ['faster_rcnn_tiny_synthetic'])
def test_every_tiny_config_has_the_base_tiny_detector(name):
    cfg = load(name)
    base = Config.fromfile('configs/_base_/models/faster_rcnn_tiny_dc5.py')
    is_override(base.tiny_detector.to_dict(), cfg.model.detector.to_dict())
    assert cfg.model.detector.backbone.norm_cfg == base.tiny_norm_cfg


def test_all_methods_share_one_tiny_detector_and_selsa_changes_only_its_head():
    reference = flat(load('faster_rcnn_tiny_synthetic').model.detector.to_dict())
    for name in TINY:
        detector = flat(load(name).model.detector.to_dict())
        diff = {k for k in reference.keys() | detector.keys()
                if reference.get(k) != detector.get(k)}
        if name.startswith('selsa'):
            assert diff and all(k.startswith('roi_head.') for k in diff), diff
            assert load(name).model.detector.roi_head.bbox_head.aggregator.in_channels == 128
        else:
            assert not diff, f'{name}: detector differs from the single-frame baseline at {diff}'


@pytest.mark.parametrize('method,test_style', [
    ('lsts', None), ('dff', 'dff'), ('fgfa', 'fgfa'), ('selsa', 'fgfa')])
def test_video_tiny_configs_use_the_synthetic_base_pipelines(method, test_style):
    cfg = load(f'{method}_tiny_synthetic')
    base = Config.fromfile('configs/_base_/datasets/synthetic_vid.py')
    assert cfg.data_root == base.data_root and cfg.img_scale == base.img_scale == (320, 256)
    test_pipeline = base.test_pipeline if test_style is None else base.test_pipelines[test_style]
    assert cfg.test_pipeline == test_pipeline
    for split in ('val', 'test'):
        assert cfg.data[split].pipeline == test_pipeline
        assert cfg.data[split].ann_file.startswith(base.data_root)
    for dataset in cfg.data.train:
        assert dataset.pipeline == base.train_pipeline
        assert dataset.ann_file.startswith(base.data_root)


@pytest.mark.parametrize('method', METHODS)
def test_tiny_configs_differ_from_their_r50_twin_only_where_documented(method):
    tiny, full = load(f'{method}_tiny_synthetic'), load(f'{method}_r50')
    allowed = TINY_MAY_CHANGE['common'] + TINY_MAY_CHANGE[method]
    unexpected = sorted(
        k for k in changed(tiny, full)
        if not k.startswith(allowed)
        and not (k.startswith('data.') and k.split('.')[3 if k.startswith('data.train') else 2]
                 in DATA_FILE_KEYS))
    assert not unexpected, f'{method}: tiny config changes {unexpected}'
    # The reference sampling, the test procedure and the method are the R-50 twin's.
    assert tiny.model.type == full.model.type
    assert tiny.model.get('test_cfg') == full.model.get('test_cfg')
    assert [d.ref_img_sampler for d in tiny.data.train] == \
        [d.ref_img_sampler for d in full.data.train]
    assert tiny.data.test.ref_img_sampler == full.data.test.ref_img_sampler


@pytest.mark.parametrize('method', METHODS)
def test_r101_configs_change_only_the_backbone_depth_and_weights(method):
    diff = changed(load(f'{method}_r101'), load(f'{method}_r50'))
    assert diff == {'model.detector.backbone.depth', 'model.detector.backbone.init_cfg.checkpoint'}


def test_single_frame_baseline_keeps_mmdet_mode_and_no_references():
    cfg = load('faster_rcnn_tiny_synthetic')
    assert cfg.USE_MMDET is True and cfg.device in ('cpu', 'cuda')
    assert cfg.custom_imports == dict(imports=['mmlsts'], allow_failed_imports=False)
    assert [d.ref_img_sampler for d in cfg.data.train] == [None, None]
    assert cfg.data.val.ref_img_sampler is None and cfg.data.test.ref_img_sampler is None
    assert cfg.data.train[0].pipeline[0].type == 'LoadImageFromFile'
    assert cfg.data.test.pipeline[-1].transforms[-1].type == 'Collect'
    # Same data files, scale and schedule as the video tiny configs.
    lsts = load('lsts_tiny_synthetic')
    for split in ('val', 'test'):
        assert cfg.data[split].ann_file == lsts.data[split].ann_file
    assert [d.ann_file for d in cfg.data.train] == [d.ann_file for d in lsts.data.train]
    assert cfg.img_scale == lsts.img_scale
    for key in ('lr_config', 'total_epochs', 'evaluation', 'checkpoint_config'):
        assert cfg[key] == lsts[key]
    assert cfg.optimizer.lr == lsts.optimizer.lr


@pytest.mark.parametrize('name', TINY + ['faster_rcnn_tiny_synthetic'])
def test_tiny_configs_build_their_model(name):
    cfg = Config.fromfile(f'{VID}/{name}.py')  # with custom_imports: registers mmlsts
    if cfg.get('USE_MMDET', False):
        from mmdet.models import build_detector
        model = build_detector(cfg.model.detector)
    else:
        from mmtrack.models import build_model
        model = build_model(cfg.model)
    detector = model if cfg.get('USE_MMDET', False) else model.detector
    assert detector.backbone.depth == 18 and detector.neck.convs[0].conv.out_channels == 64
