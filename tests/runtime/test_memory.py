"""runtime/memory.py: a one-shot process collects rarely but still collects its cycles; `list`
collects nothing while it builds and leaves nothing to the exit's collection. Each case runs in a
child interpreter: freezing and thresholds are process-wide."""

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


BUILD_THEN_EXIT = textwrap.dedent("""
    import gc, weakref
    from webinar_tray.runtime.memory import build_then_exit

    class Node:
        pass

    assert gc.isenabled()
    with build_then_exit():
        assert not gc.isenabled()
        first = Node(); first.me = first
        gone = weakref.ref(first)
        del first
        keep = [Node() for _ in range(200_000)]  # far past any threshold
        assert gone() is not None, "collected while building"
        frozen = gc.get_freeze_count()
    assert gc.isenabled(), "collection stays off after the block"
    assert gc.get_freeze_count() > frozen + 100_000  # what was built (keep, the cycle) is frozen
    assert gc.collect() == 0 and gone() is not None  # the exit's last pass skips it
    print("ok")
""")


def test_build_then_exit_collects_nothing_and_leaves_nothing_to_the_last_pass():
    r = subprocess.run([sys.executable, "-c", BUILD_THEN_EXIT], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
