"""tools/analysis/compare.py's library: train + test per (config, seed), then the mAP table."""
import pytest

from mmlsts.benchmark.compare import MethodSummary, RunResult, compare, markdown


def test_compare_runs_end_to_end_on_a_minimal_budget(tmp_path):
    lines = []
    summaries = compare(['configs/vid/lsts_tiny_synthetic.py'], seeds=[0], epochs=1,
                        workspace=str(tmp_path), data_seed=5, log=lines.append,
                        num_train_videos=2, num_val_videos=1, frames_per_video=12,
                        num_det_images=2, image_size=(64, 80))
    (summary,) = summaries
    assert summary.name == 'lsts_tiny_synthetic' and len(summary.runs) == 1
    assert 0.0 <= summary.runs[0].map50 <= 1.0 and summary.runs[0].train_s > 0
    assert lines and 'bbox_mAP_50' in lines[0]
    assert (tmp_path / 'work_dirs' / 'lsts_tiny_synthetic' / 'seed0' / 'latest.pth').exists()


def test_pretrained_comparison_starts_every_method_from_the_single_frame_detector(tmp_path):
    frcnn = 'configs/vid/faster_rcnn_tiny_synthetic.py'
    summaries = compare(['configs/vid/lsts_tiny_synthetic.py', frcnn], seeds=[0], epochs=1,
                        workspace=str(tmp_path), data_seed=5, log=lambda _: None,
                        pretrain_config=frcnn, pretrain_epochs=1,
                        num_train_videos=2, num_val_videos=1, frames_per_video=12,
                        num_det_images=2, image_size=(64, 80))
    assert [len(s.runs) for s in summaries] == [1, 1]
    pretrained = (tmp_path / 'work_dirs' / 'pretrain' / 'faster_rcnn_tiny_synthetic_1e_data5'
                  / 'seed0')
    assert (pretrained / 'latest.pth').exists()
    for name in ('lsts_tiny_synthetic', 'faster_rcnn_tiny_synthetic'):
        log = (tmp_path / 'work_dirs' / name / 'pretrained_seed0' / 'train.out').read_text()
        # mmcv logs the file it initialises from (video detectors) or loads (load_from).
        assert str(pretrained / 'latest.pth') in log, name


def test_table_mean_and_std():
    summary = MethodSummary('configs/vid/x.py', [RunResult('x', s, m, 10.0, 1.0)
                                                  for s, m in ((0, 0.5), (1, 0.7), (2, 0.6))])
    assert summary.mean == pytest.approx(0.6) and summary.std == pytest.approx(0.1)
    table = markdown([summary], epochs=12, data_seed=0)
    assert '| x | 0.6000 | 0.1000 | 0.5000 | 0.7000 | 0.6000 | 10 |' in table
