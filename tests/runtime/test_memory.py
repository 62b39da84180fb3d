"""runtime/memory.py: a one-shot process collects rarely but still collects its cycles; `list`
collects nothing while it builds and leaves nothing to the exit's collection. Each case runs in a
child interpreter: freezing and thresholds are process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


def child(code: str, *args: str) -> str:
    """What a child interpreter running `code` printed (it must exit 0)."""
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_one_shot_collects_rarely_but_still_collects_cycles():
    assert child(CHILD) == "ok"


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
    assert gc.isenabled(), "collection is not on again after the block"
    assert gc.get_freeze_count() > frozen + 100_000  # what was built (keep, the cycle) is frozen
    assert gc.collect() == 0 and gone() is not None  # the exit's last pass skips it
    print("ok")
""")


def test_build_then_exit_collects_nothing_and_leaves_nothing_to_the_last_pass():
    assert child(BUILD_THEN_EXIT) == "ok"


ARENAS = textwrap.dedent("""
    import ctypes, sys, tempfile, threading
    from webinar_tray.runtime.memory import one_heap

    if sys.argv[1] == "one":
        one_heap()
    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    go = threading.Barrier(4)

    def parse_a_page():  # as a source's thread does: C-heap blocks (texts past 512 bytes)
        go.wait()
        keep = [b"x" * 2000 + bytes([i % 256]) for i in range(2000)]
        go.wait()  # all four hold theirs at once
        del keep

    threads = [threading.Thread(target=parse_a_page) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        fp = libc.fopen(f.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        print(open(f.name).read().count("<heap nr="))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas: Linux only (one_heap "
                    "does nothing on Windows and macOS)")
def test_one_heap_keeps_the_threads_in_one_c_heap():
    assert int(child(ARENAS, "default")) > 1  # the check can tell: glibc gave the threads arenas of their own
    assert int(child(ARENAS, "one")) == 1
