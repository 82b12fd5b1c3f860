"""The cyclic garbage collector's settings for commands that run many episodes.

An episode allocates tens of thousands of short-lived objects (records, decoded account
states, validated models), nearly none in reference cycles. With CPython's default
thresholds a `reev run` of the bundled suite spent ~15 % of its CPU in the collector,
half of it in full passes over everything imported and loaded at start-up, which lives as
long as the process. `for_many_episodes` freezes that start-up heap out of the
collector's passes and lets the youngest generation grow larger before a pass; cyclic
garbage is still collected, a little later.
"""

from __future__ import annotations

import gc

YOUNGEST_THRESHOLD = 50_000  # CPython's default is 700 allocations


def for_many_episodes() -> None:
    """Call once the run is loaded and planned, before its episodes start."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
