"""Which scorer produced a number: stamped on every scored result (`scorer_version`).

Raise `SCORER_VERSION` whenever a change to scoring (an assertion's semantics, a profile's
formula, the side-effect rule…) can change the score or verdict of an episode already
stored. `reev rescore RUN_ID` then re-scores the run's episodes with the current scorer
and stamps them, so a run never mixes numbers of two scorers.
"""

SCORER_VERSION = "2"
# 2: MemoPresent counts the transactions carrying the memo (`max_count`, default 1);
#    clock-written Token-2022 bytes (interest-bearing timestamps) are not side effects.
