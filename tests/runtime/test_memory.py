"""runtime/memory.py: a one-shot process collects rarely but still collects its cycles. Each case
runs in a child interpreter: freezing and thresholds are process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import gc, weakref
    from webinar_tray.runtime.memory import one_shot

    class Node:
        pass

    before = Node()
    one_shot()
    assert gc.get_threshold()[0] >= 10_000, gc.get_threshold()
    assert gc.get_freeze_count() > 0  # what was imported is left out of every pass

    # garbage cycles made after it: collected without anyone calling gc.collect()
    first = Node(); first.me = first
    gone = weakref.ref(first)
    del first
    keep = []
    for i in range(300_000):
        n = Node(); n.me = n  # a cycle, dropped at once
        if i % 1000 == 0:
            keep.append(i)
    assert gone() is None, "a cycle made after one_shot() was never collected"
    assert gc.get_count()[0] < 60_000, gc.get_count()
    print("ok")
""")


def test_one_shot_collects_rarely_but_still_collects_cycles():
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
