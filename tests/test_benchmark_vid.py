"""The baseline configs (DFF/FGFA/SELSA/single-frame) and the side-by-side speed benchmark."""
import copy
import csv
import os.path as osp

import pytest
from mmcv import Config

from mmlsts.benchmark import benchmark_configs, format_markdown, write_outputs
from mmlsts.benchmark.vid import COLUMNS, SyntheticVideo, disable_pretrained

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
VID = osp.join(REPO, 'configs', 'vid')
METHODS = ('dff', 'fgfa', 'selsa')
TINY = [f'{m}_tiny_synthetic.py' for m in METHODS + ('faster_rcnn', )]
FULL = [f'{m}_{d}.py' for m in METHODS for d in ('r50', 'r101')]
SIZE = (64, 96)
# Keyframe every 2 so that a 5-frame video holds 2 keyframe cycles (frames 1..4).
LSTS_OPTS = {'model.test_cfg.key_frame_interval': 2,
             'data.test.ref_img_sampler.key_frame_interval': 2}
DFF_OPTS = {'model.test_cfg.key_frame_interval': 2}


def _cfg(name):
    return Config.fromfile(osp.join(VID, name))


# Configs -------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', FULL + TINY)
def test_config_loads_with_plugin_imports_and_vid_schedule(name):
    cfg = _cfg(name)
    assert cfg.custom_imports == dict(imports=['mmlsts'], allow_failed_imports=False)
    assert cfg.optimizer.type == 'SGD' and cfg.optimizer_config.grad_clip.max_norm == 35
    assert cfg.lr_config.warmup == 'linear'
    if 'tiny' in name:
        assert cfg.data_root == 'data/synthetic_vid/ILSVRC/' and cfg.img_scale == (320, 256)
        assert cfg.total_epochs == 12 and cfg.optimizer.lr == 0.02
    else:
        assert cfg.total_epochs == 7 and cfg.lr_config.step == [2, 5]
        assert cfg.optimizer.lr == 0.01


def test_r101_baselines_share_the_lsts_detector_settings():
    """Same backbone, neck, RPN and test settings (RPN 6000 -> 300, ...) as LSTS-R101."""
    lsts = _cfg('lsts_r101.py').model.detector
    for method in METHODS:
        det = _cfg(f'{method}_r101.py').model.detector
        for key in ('backbone', 'neck', 'rpn_head', 'test_cfg'):
            assert det[key] == lsts[key], (method, key)
        assert det.roi_head.bbox_roi_extractor == lsts.roi_head.bbox_roi_extractor
    assert lsts.test_cfg.rpn.nms_pre == 6000 and lsts.test_cfg.rpn.max_per_img == 300


@pytest.mark.parametrize('method, sampler', [
    ('dff', None),
    ('fgfa', dict(num_ref_imgs=30, frame_range=[-15, 15], stride=1,
                  method='test_with_fix_stride')),
    ('selsa', dict(num_ref_imgs=14, frame_range=[-7, 7], method='test_with_adaptive_stride')),
])
def test_each_method_tests_with_its_own_documented_procedure(method, sampler):
    for name in (f'{method}_r101.py', f'{method}_tiny_synthetic.py'):
        cfg = _cfg(name)
        assert cfg.model.type == method.upper()
        assert cfg.data.test.ref_img_sampler == sampler
        assert cfg.data.test.type == 'LSTSVIDDataset'
    if method == 'dff':
        assert _cfg('dff_r101.py').model.test_cfg.key_frame_interval == 10


def test_flownet_downloads_only_for_real_training():
    cfg = _cfg('fgfa_r101.py')
    assert cfg.model.motion.init_cfg.checkpoint.startswith('https://download.openmmlab.com/')
    model = copy.deepcopy(cfg.model)
    assert disable_pretrained(model) == 2  # FlowNet and the torchvision ResNet-101
    assert model.motion.init_cfg is None and model.detector.backbone.init_cfg is None
    for name in TINY:
        model = _cfg(name).model
        assert disable_pretrained(model) == 0, name


@pytest.mark.parametrize('name', TINY + ['selsa_r50.py'])
def test_config_builds(name):
    from mmdet.models import build_detector
    from mmtrack.models import build_model
    cfg = _cfg(name)
    disable_pretrained(cfg.model)
    if cfg.get('USE_MMDET'):  # as MMTracking's tools/train.py and test.py do
        model = build_detector(cfg.model.detector)
        assert type(model).__name__ == 'FasterRCNN'
    else:
        model = build_model(cfg.model)
        assert type(model).__name__ == cfg.model.type


# Reference feeding ---------------------------------------------------------------------------
@pytest.mark.parametrize('name, frame_refs', [
    ('fgfa_tiny_synthetic.py', {0: 31, 1: 1, 5: 1}),     # 16 copies of frame 0 + 15 ahead
    ('selsa_tiny_synthetic.py', {0: 14, 1: 0, 5: 0}),    # spread over the whole video once
    ('lsts_tiny_synthetic.py', {0: 1, 1: 0, 10: 1}),     # the segment's middle keyframe
    ('dff_tiny_synthetic.py', {0: 0, 1: 0, 10: 0}),
])
def test_references_come_from_the_configs_own_sampler(name, frame_refs):
    video = SyntheticVideo(_cfg(name), 20, SIZE, video_id=0, seed=0, device='cpu')
    for frame_id, num in frame_refs.items():
        kwargs, num_refs = video.inputs(frame_id)
        assert num_refs == num, frame_id
        assert kwargs['img'][0].shape == (1, 3, *SIZE)
        if num:
            assert kwargs['ref_img'][0].shape == (1, num, 3, *SIZE)
    if name.startswith('lsts'):
        kwargs, _ = video.inputs(0)
        assert kwargs['ref_img_metas'][0][0][0]['frame_id'] == 4
    if name.startswith('fgfa'):
        meta = video.inputs(3)[0]['img_metas'][0][0]
        assert (meta['num_left_ref_imgs'], meta['frame_stride']) == (15, 1)


# The benchmark -------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    results = benchmark_configs(
        [osp.join(VID, 'lsts_tiny_synthetic.py'), osp.join(VID, 'dff_tiny_synthetic.py')],
        frames=5, cfg_options=[LSTS_OPTS, DFF_OPTS], isolate=False, size=SIZE, threads=2,
        log=lambda *_: None)
    out = tmp_path_factory.mktemp('bench')
    md_path, csv_path = write_outputs(results, str(out))
    with open(md_path) as f:
        markdown = f.read()
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    return results, markdown, rows


def test_benchmark_counts_keyframes_by_what_ran(bench):
    results, _, rows = bench
    for result, row in zip(results, rows):
        # Frame 0 on its own; frames 1..4 hold keyframes 2 and 4 for both methods (LSTS
        # 'middle' with interval 2 runs its high part at each segment start).
        assert result.kinds == ['first', 'non-key', 'key', 'non-key', 'key']
        assert (result.num_key, result.num_nonkey) == (2, 2)
        assert row['timed frames'] == '2 key + 2 non-key'
        assert result.warmup == 3 and result.gflops_key > 0 and result.gflops_nonkey > 0
    lsts, dff = results
    assert lsts.is_lsts and lsts.procedure == "keyframe every 2, position 'middle'"
    assert dff.procedure == 'keyframe every 2' and dff.params_m > 30  # full FlowNetSimple


def test_benchmark_table_is_well_formed(bench):
    results, markdown, rows = bench
    lines = [ln for ln in markdown.splitlines() if ln.startswith('|')]
    assert len(lines) == 2 + len(results)
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    assert header == COLUMNS
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip('|').split('|')]
        assert len(cells) == len(COLUMNS) and all(cells) and '-' not in cells
    for row in rows:
        assert all(row[c] for c in COLUMNS)
        float(row['GFLOPs/frame']), float(row['peak mem (MB)']), float(row['params (M)'])
    assert 'runs at' in markdown and 'process peak RSS' in markdown


def test_benchmark_ratios_and_fps_agree_with_the_times(bench):
    results, _, rows = bench
    ref_fps = float(rows[0]['fps'])
    assert rows[0]['fps / LSTS fps'] == '1.000'
    for result, row in zip(results, rows):
        fps = float(row['fps'])
        assert float(row['fps / LSTS fps']) == pytest.approx(fps / ref_fps, abs=6e-4)
        steady = result.times_ms[1:]
        half_digit = 0.51 * 10 ** -len(row['fps'].split('.')[1])  # fps as printed, rounded
        assert fps == pytest.approx(1000 * len(steady) / sum(steady), abs=half_digit)
        column = next(c for c in row if c.startswith('per-frame ms'))
        codes, times = zip(*(cell.split(':') for cell in row[column].split()))
        assert ''.join(codes) == 'FNKNK'
        assert [float(t) for t in times] == pytest.approx(result.times_ms, abs=0.06)
        assert float(row['ms first frame']) == pytest.approx(result.times_ms[0], abs=0.06)
    lsts, dff = results
    assert f'{lsts.fps / dff.fps:.2f}x' in format_markdown(results)


def test_cli_arguments():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'benchmark_vid_cli', osp.join(REPO, 'tools', 'analysis', 'benchmark_vid.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    args = cli.parse_args(['a.py', 'b.py', '--frames', '21', '6', '--threads', '2', '--fp16'])
    assert args.frames == [21, 6] and args.size == [600, 1000] and args.fp16
    assert args.device == 'cpu' and args.out_dir == 'work_dirs/benchmark' and args.warmup is None
    with pytest.raises(ValueError, match='one per config'):
        benchmark_configs(['a.py', 'b.py', 'c.py'], frames=[21, 6], isolate=False)
