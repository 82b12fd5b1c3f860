"""The collector policy of long runs: the start-up heap frozen, larger young generation."""

from __future__ import annotations

import json
import subprocess
import sys


def test_many_episodes_freeze_the_start_up_heap_and_raise_the_young_threshold() -> None:
    code = (
        "import gc, json; from reev.runner.gc_policy import for_many_episodes as f; "
        "before = gc.get_threshold(); f(); "
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, frozen = json.loads(out.stdout)
    assert after == [50_000, before[1], before[2]]  # only the youngest generation changes
    assert frozen > 1000  # what was imported is out of the collector's passes
