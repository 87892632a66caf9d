"""Benchmarks of the plugin's models beside MMTracking's (used by ``tools/analysis/``)."""
from .vid import (
    BenchResult,
    benchmark_config,
    benchmark_configs,
    format_csv,
    format_markdown,
    write_outputs,
)

__all__ = ['BenchResult', 'benchmark_config', 'benchmark_configs', 'format_csv',
           'format_markdown', 'write_outputs']
