# SELSA (MMTracking's registered 'SELSA') around the Faster R-CNN R-50-DC5: every frame runs the
# RPN on itself and its references and aggregates RoI features across them (SelsaAggregator in
# SelsaBBoxHead's two shared FCs).
_base_ = ['./faster_rcnn_r50_dc5.py']
custom_imports = dict(imports=['mmlsts'], allow_failed_imports=False)
model = dict(
    type='SELSA',
    detector=dict(
        roi_head=dict(
            type='SelsaRoIHead',
            bbox_head=dict(
                type='SelsaBBoxHead',
                num_shared_fcs=2,
                aggregator=dict(
                    type='SelsaAggregator', in_channels=1024, num_attention_blocks=16)))))
