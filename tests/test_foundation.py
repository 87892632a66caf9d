"""The stack works as installed by tools/setup_env.sh, and mmlsts plugs into it."""
import collections
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmcv import Config

import mmlsts
from mmlsts import compat

NO_CUDA = 'needs a CUDA device'


def test_mmcv_compiled_nms_gives_the_right_boxes():
    from mmcv.ops import nms
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [50., 50., 60., 60.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]  # IoU(0, 1) = 81 / 119 = 0.68 > 0.5: box 1 is suppressed
    torch.testing.assert_close(dets[:, 4], torch.tensor([0.9, 0.7]))


def test_mmcv_compiled_roi_align_gives_the_right_values():
    from mmcv.ops import RoIAlign
    # A linear ramp f(x, y) = x: bilinear sampling reproduces it exactly inside the map.
    feat = torch.arange(8, dtype=torch.float32).repeat(8, 1)[None, None]
    rois = torch.tensor([[0., 1., 1., 5., 5.]])  # batch index, x1, y1, x2, y2
    out = RoIAlign(output_size=2, spatial_scale=1.0, sampling_ratio=2, aligned=True)(feat, rois)
    # Bins cover x in [0.5, 2.5] and [2.5, 4.5] (aligned shifts by half a pixel): centres 1.5, 3.5.
    torch.testing.assert_close(out[0, 0], torch.tensor([[1.5, 3.5], [1.5, 3.5]]))


def test_numpy_aliases_restored_for_mmtrack(tmp_path):
    assert np.int is int and np.float is float and np.bool is bool
    # mmtrack's CocoVideoDataset calls .astype(np.int) when it parses every annotation.
    from mmtrack.datasets import ImagenetVIDDataset
    ann = dict(
        categories=[dict(id=i + 1, name=n) for i, n in enumerate(ImagenetVIDDataset.CLASSES)],
        videos=[dict(id=1, name='v')],
        images=[dict(id=1, video_id=1, frame_id=0, file_name='v/000000.JPEG', width=64,
                     height=48, is_vid_train_frame=True)],
        annotations=[dict(id=1, image_id=1, video_id=1, category_id=3, instance_id=7,
                          bbox=[4, 5, 20, 10], area=200, iscrowd=False, occluded=False,
                          generated=False)])
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(ann))
    dataset = ImagenetVIDDataset(ann_file=str(path), pipeline=[], img_prefix=str(tmp_path))
    info = dataset.get_ann_info(dataset.data_infos[0])
    np.testing.assert_array_equal(info['bboxes'], [[4, 5, 24, 15]])
    assert info['labels'].tolist() == [2] and info['instance_ids'].tolist() == [7]


def _checkpoint_with_object(path):
    holder = collections.OrderedDict(state_dict=dict(w=torch.ones(2)),
                                     meta=dict(note=compat.UntrustedCheckpointError))
    torch.save(holder, path)


def test_checkpoints_load_weights_only_with_numpy_meta(tmp_path):
    from mmcv.runner import load_checkpoint
    path = tmp_path / 'ok.pth'
    torch.save(dict(state_dict=dict(weight=torch.ones(1, 3)),
                    meta=dict(best_score=np.float64(0.5), epoch=np.int64(3))), path)
    module = torch.nn.Linear(3, 1, bias=False)
    ckpt = load_checkpoint(module, str(path), map_location='cpu')
    assert ckpt['meta']['best_score'] == 0.5
    torch.testing.assert_close(module.weight, torch.ones(1, 3))


def test_untrusted_checkpoint_gives_an_actionable_error(tmp_path, monkeypatch):
    from mmcv.runner import load_checkpoint
    path = tmp_path / 'foreign.pth'
    _checkpoint_with_object(path)
    monkeypatch.delenv(compat.TRUST_ENV, raising=False)
    with pytest.raises(compat.UntrustedCheckpointError) as err:
        load_checkpoint(torch.nn.Module(), str(path), map_location='cpu', strict=False)
    assert str(path) in str(err.value) and compat.TRUST_ENV in str(err.value)
    monkeypatch.setenv(compat.TRUST_ENV, str(path))
    ckpt = load_checkpoint(torch.nn.Module(), str(path), map_location='cpu', strict=False)
    assert ckpt['meta']['note'] is compat.UntrustedCheckpointError


def test_registries_hold_the_plugin_components():
    from mmdet.datasets import DATASETS
    from mmtrack.models import AGGREGATORS, MODELS
    assert MODELS.get('LSTS') is mmlsts.models.LSTS
    assert AGGREGATORS.get('SRFU') is mmlsts.ops.SRFU
    assert AGGREGATORS.get('DFA') is mmlsts.ops.DFA
    assert DATASETS.get('LSTSVIDDataset') is mmlsts.datasets.LSTSVIDDataset


@pytest.mark.parametrize('name', ['lsts_r50', 'lsts_r101', 'lsts_tiny_synthetic'])
def test_configs_load_with_custom_imports(name):
    cfg = Config.fromfile(f'configs/vid/{name}.py')
    assert cfg.custom_imports == dict(imports=['mmlsts'], allow_failed_imports=False)
    assert cfg.model.type == 'LSTS'
    assert cfg.optimizer.paramwise_cfg.custom_keys['offsets'] == dict(lr_mult=2.5,
                                                                       decay_mult=0.0)


def test_full_size_config_builds_with_the_paper_split():
    from mmtrack.models import build_model
    cfg = Config.fromfile('configs/vid/lsts_r101.py')
    cfg.model.detector.backbone.init_cfg = None  # no download in tests
    model = build_model(cfg.model)
    assert len(model.detector.backbone.layer3) == 23 and model.low_level == ('layer3', 4)
    assert model.srfu.lsts.offsets.shape == (81, 2)
    assert model.dfa.low2high.layers[0].in_channels == 1024
    names = [n for n, _ in model.named_parameters() if 'offsets' in n]
    assert names == ['srfu.lsts.offsets']  # shared once, so the optimizer sees it once


# What a fresh process gets from `import mmlsts` alone, which is all that MMTracking's own tools
# do (custom_imports): mmcv 1.7's DDP forward and its GPU scatter work on torch >= 2.1.
_STOCK_TOOL_PATH = """
import os, sys
import torch, torch.distributed as dist
import mmlsts
from mmcv.parallel import MMDistributedDataParallel, _functions
print(MMDistributedDataParallel._use_replicated_tensor_module)
os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=sys.argv[1])
dist.init_process_group('gloo', rank=0, world_size=1)
ddp = MMDistributedDataParallel(torch.nn.Linear(3, 2))
print(tuple(ddp(torch.ones(4, 3)).shape))  # DDP.forward -> mmcv's _run_ddp_forward
print(type(_functions._get_stream(0)).__name__)  # what mmcv's Scatter asks for GPU 0
dist.destroy_process_group()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_import_alone_fixes_mmcv_ddp_forward_and_gpu_scatter_streams():
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')
    done = subprocess.run([sys.executable, '-c', _STOCK_TOOL_PATH, str(_free_port())], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    flag, shape, stream = done.stdout.strip().splitlines()[-3:]
    assert flag == 'False' and shape == '(4, 2)'
    # torch >= 2.1 takes a torch.device; mmcv passes the index: without the fix, AttributeError.
    assert stream == ('Stream' if torch.cuda.is_available() else 'NoneType')


def test_fixes_apply_once_and_only_where_needed():
    from mmcv.parallel import _functions
    wrapped = _functions._get_stream
    compat.apply()
    compat._scatter_streams_by_device()
    compat._default_replicated_tensor_flag()
    assert _functions._get_stream is wrapped  # not wrapped twice
    assert wrapped.__wrapped__ is torch.nn.parallel._functions._get_stream

    def takes_an_index(device: int):  # torch <= 2.0
        return device

    def takes_a_device(device: torch.device):  # torch >= 2.1
        return device

    assert not compat._takes_a_device(takes_an_index)
    assert compat._takes_a_device(takes_a_device)


def _through_mmdataparallel():
    """As MMTracking's single-GPU train and test call a model: MMDataParallel(device_ids=[0])
    (on a machine without CUDA, torch's DataParallel drops the ids and mmcv scatters to -1)."""
    from mmcv.parallel import DataContainer, MMDataParallel

    class Probe(torch.nn.Module):
        def forward(self, img, img_metas):
            return img.device, img_metas

    model = MMDataParallel(Probe(), device_ids=[0])
    return model(img=DataContainer([torch.ones(1, 3, 4, 4)], stack=True),
                 img_metas=DataContainer([[dict(frame_id=0)]], cpu_only=True))


def test_mmdataparallel_unpacks_datacontainers_cpu_twin():
    device, metas = _through_mmdataparallel()
    assert device.type == ('cuda' if torch.cuda.is_available() else 'cpu')
    assert metas == [dict(frame_id=0)]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
def test_mmdataparallel_scatters_datacontainers_to_the_gpu():
    device, metas = _through_mmdataparallel()  # mmcv's Scatter asks torch for a copy stream
    assert device.type == 'cuda' and metas == [dict(frame_id=0)]
