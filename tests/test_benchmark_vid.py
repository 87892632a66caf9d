"""The baseline configs (DFF/FGFA/SELSA/single-frame) and the side-by-side speed benchmark.

The benchmark tests assert what was run, never how fast: which frames were keyframes, what the
model was fed (the config's own references and pipeline metas), that the detections are those
of ``tools/test.py``'s loop on the same model and frames, and the table's rows and ratios.
"""
import copy
import csv
import importlib.util
import os.path as osp
import sys

import numpy as np
import pytest
from mmcv import Config

from mmlsts.apis import disable_pretrained

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    'benchmark_vid', osp.join(REPO, 'tools', 'analysis', 'benchmark_vid.py'))
benchmark_vid = sys.modules['benchmark_vid'] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(benchmark_vid)  # registered first: its dataclasses look it up
COLUMNS, benchmark_configs = benchmark_vid.COLUMNS, benchmark_vid.benchmark_configs
build_test_loader = benchmark_vid.build_test_loader
build_test_model = benchmark_vid.build_test_model
load_config, write_outputs = benchmark_vid.load_config, benchmark_vid.write_outputs
VID = osp.join(REPO, 'configs', 'vid')
METHODS = ('dff', 'fgfa', 'selsa')
TINY = [f'{m}_tiny_synthetic.py' for m in METHODS + ('faster_rcnn', )]
FULL = [f'{m}_{d}.py' for m in METHODS for d in ('r50', 'r101')]
# Synthetic frames of 64x96; the tiny configs' test pipeline resizes them to fit (320, 256)
# keeping the ratio, 213x320, and pads to a multiple of 16: 224x320.
SIZE, PADDED = (64, 96), (224, 320)
FRAMES = 12  # frame 0, then frames 1..11: one full keyframe cycle of 10 and a clipped one


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


# What the benchmark feeds -------------------------------------------------------------------
@pytest.mark.parametrize('name, frame_refs', [
    ('fgfa_tiny_synthetic.py', {0: 31, 1: 1, 5: 1}),     # 16 copies of frame 0 + 15 ahead
    ('selsa_tiny_synthetic.py', {0: 14, 1: 0, 5: 0}),    # spread over the whole video once
    ('lsts_tiny_synthetic.py', {0: 1, 1: 0, 10: 1}),     # the segment's middle keyframe
    ('dff_tiny_synthetic.py', {0: 0, 1: 0, 10: 0}),
])
def test_each_method_gets_the_references_of_its_own_sampler(name, frame_refs, tmp_path):
    cfg, single = load_config(osp.join(VID, name))
    assert not single
    data = list(build_test_loader(cfg, single, str(tmp_path), 20, SIZE))
    assert len(data) == 20
    for frame_id, num in frame_refs.items():
        sample = data[frame_id]
        refs = sample.get('ref_img_metas')
        assert (len(refs[0].data[0][0]) if refs else 0) == num, frame_id
        assert sample['img_metas'][0].data[0][0]['frame_id'] == frame_id
    if name.startswith('lsts'):  # the keyframe of segment 0..9 is its middle frame, 4
        assert data[0]['ref_img_metas'][0].data[0][0][0]['frame_id'] == 4


# The benchmark -------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    """LSTS (from a saved random checkpoint), DFF, the single-frame detector inside LSTS and
    the USE_MMDET single-frame config, side by side."""
    from mmcv.runner import save_checkpoint
    out = tmp_path_factory.mktemp('bench')
    lsts = osp.join(VID, 'lsts_tiny_synthetic.py')
    checkpoint = str(out / 'lsts_random.pth')
    save_checkpoint(build_test_model(*load_config(lsts)), checkpoint)
    configs = [lsts, osp.join(VID, 'dff_tiny_synthetic.py'), lsts + '#detector',
               osp.join(VID, 'faster_rcnn_tiny_synthetic.py')]
    results = benchmark_configs(configs, [checkpoint], frames=FRAMES, size=SIZE, threads=1,
                                keep_outputs=True)
    md_path, csv_path = write_outputs(results, str(out))
    with open(md_path) as f:
        markdown = f.read()
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    return dict(results=results, markdown=markdown, rows=rows, checkpoint=checkpoint,
                lsts=lsts, out=out)


def test_keyframes_are_the_configs_schedule(bench):
    lsts, dff, detector, mmdet = bench['results']
    # LSTS 'middle', interval 10, 12 frames: keyframes 4 and 11 (segment 10..11's middle, 14,
    # clipped to the last frame). DFF: every 10th frame, 0 and 10.
    assert [i for i, k in enumerate(lsts.kinds) if k == 'key'] == [4, 11]
    assert [i for i, k in enumerate(dff.kinds) if k == 'key'] == [10]
    for result in (lsts, dff):
        assert result.kinds[0] == 'first' and 'frame' not in result.kinds
    for result in (detector, mmdet):
        assert result.kinds == ['first'] + ['frame'] * (FRAMES - 1)
    assert lsts.procedure == "keyframe every 10, position 'middle'" and lsts.is_lsts
    assert dff.procedure == "keyframe every 10, position 'start'" and dff.params_m > 30
    assert detector.procedure == mmdet.procedure == 'single frame'
    assert detector.method == mmdet.method == 'Faster R-CNN R-18/16ch'


def test_the_model_was_fed_by_the_test_pipeline_and_sampler(bench):
    lsts, dff, detector, mmdet = bench['results']
    for result in bench['results']:
        assert result.pad_shape == PADDED and len(result.times_ms) == FRAMES
        assert result.gflops > 0
    for result in (lsts, dff):  # VideoCollect's frame_id, frames in order
        assert result.frame_ids == list(range(FRAMES))
    # LSTS loads its segment keyframe at each segment start; the plain detector takes no refs
    assert lsts.num_refs == [1] + [0] * 9 + [1, 0]
    assert dff.num_refs == detector.num_refs == mmdet.num_refs == [0] * FRAMES


def test_detections_are_those_of_the_test_loop(bench, tmp_path):
    """The same checkpoint through MMTracking's single_gpu_test on the same synthetic frames."""
    from mmcv.parallel import MMDataParallel
    from mmtrack.apis import single_gpu_test
    cfg, single = load_config(bench['lsts'])
    loader = build_test_loader(cfg, single, str(tmp_path), FRAMES, SIZE)
    model = MMDataParallel(build_test_model(cfg, single, bench['checkpoint']))
    expected = single_gpu_test(model, loader)['det_bboxes']
    got = bench['results'][0].outputs
    assert len(got) == len(expected) == FRAMES
    assert sum(len(b) for b in expected[5]) > 0  # random weights still detect something
    for frame, out in zip(expected, got):
        for want, have in zip(frame, out['det_bboxes']):
            np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-4)


def test_table_has_every_row_and_column(bench):
    results, rows = bench['results'], bench['rows']
    lines = [ln for ln in bench['markdown'].splitlines() if ln.startswith('|')]
    assert len(lines) == 2 + len(results) and len(rows) == len(results)
    assert [c.strip() for c in lines[0].strip('|').split('|')] == COLUMNS
    assert [r['config'] for r in rows] == [r.config for r in results]
    assert [r['timed frames'] for r in rows] == ['2 key + 9 non-key', '1 key + 10 non-key',
                                                 '11', '11']
    for row in rows:
        assert all(row[c] for c in COLUMNS)
        assert row['peak mem (MB)'] == '-'  # CUDA only
        float(row['GFLOPs/frame']), float(row['params (M)']), float(row['fps'])
        kinds = [cell.split(':')[0] for cell in row['per-frame kind:ms:refs'].split()]
        assert len(kinds) == FRAMES and kinds[0] == 'first'
    assert rows[0]['ms keyframe mean'] != '-' and rows[2]['ms keyframe mean'] == '-'


def test_ratios_are_to_lsts(bench):
    results, rows = bench['results'], bench['rows']
    assert rows[0]['fps / LSTS fps'] == '1.000'
    for result, row in zip(results, rows):
        steady = result.times_ms[1:]
        assert result.fps == pytest.approx(1000 * len(steady) / sum(steady))
        assert float(row['fps / LSTS fps']) == pytest.approx(result.fps / results[0].fps,
                                                             abs=6e-4)
    assert f'{results[0].fps / results[1].fps:.2f}x the fps of DFF' in bench['markdown']


def test_cli_arguments_and_errors():
    args = benchmark_vid.parse_args(['a.py', 'b.py#detector', '--frames', '11', '--threads', '2',
                           '--fp16', '--device', 'cuda', '--out-dir', 'o'])
    assert args.frames == 11 and args.size == [600, 1000] and args.fp16
    assert args.configs == ['a.py', 'b.py#detector'] and args.out_dir == 'o'
    with pytest.raises(ValueError, match='at most one per config'):
        benchmark_configs(['a.py'], ['x.pth', 'y.pth'])
    with pytest.raises(ValueError, match='--frames must be >= 2'):
        benchmark_configs([osp.join(VID, 'lsts_tiny_synthetic.py')], frames=1)
