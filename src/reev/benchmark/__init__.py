"""Benchmark YAML: schema, loading with file:line errors, placeholders and keys.

This part never touches the VM.
"""

from reev.benchmark.loader import BenchmarkLoadError, discover_benchmark_files, load_benchmark
from reev.benchmark.model import Benchmark

__all__ = ["Benchmark", "BenchmarkLoadError", "discover_benchmark_files", "load_benchmark"]
