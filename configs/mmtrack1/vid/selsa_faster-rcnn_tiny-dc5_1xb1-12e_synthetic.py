# Tiny SELSA for CPU on MMTracking 1.x, beside tiny LSTS
# (lsts_faster-rcnn_tiny-dc5_1xb1-12e_synthetic.py): the same tiny detector, data, scale and
# schedule, with MMTracking 1.x's SELSA heads (as its
# selsa_faster-rcnn_r50-dc5_8xb1-7e_imagenetvid.py) narrowed to the tiny widths, SELSA's own
# samplers and test procedure (14 references, 'test_with_adaptive_stride'), as
# configs/vid/selsa_tiny_synthetic.py for 0.x.
_base_ = ['../_base_/tiny_synthetic_detector.py']
model = dict(
    type='SELSA',
    detector=dict(
        roi_head=dict(
            type='mmtrack.SelsaRoIHead',
            bbox_roi_extractor=dict(type='mmtrack.SingleRoIExtractor'),
            bbox_head=dict(
                type='mmtrack.SelsaBBoxHead',
                num_shared_fcs=2,
                aggregator=dict(
                    type='mmtrack.SelsaAggregator', in_channels=128,
                    num_attention_blocks=16)))))
train_dataloader = dict(dataset=dict(datasets={{_base_.train_sets.fgfa}}))
test_sampler = dict(num_ref_imgs=14, frame_range=[-7, 7], method='test_with_adaptive_stride')
val_dataloader = dict(dataset=dict(ref_img_sampler=dict(_delete_=True, **test_sampler)))
test_dataloader = val_dataloader
