"""Memory handed back to the system (glibc only; the other C libraries keep their own ways), and
the cyclic collector set for processes that build a large state once."""

from __future__ import annotations

import gc
from contextlib import contextmanager

# mallopt's M_ARENA_MAX (malloc.h)
_M_ARENA_MAX = -8


def _libc():
    import ctypes

    return ctypes.CDLL("libc.so.6")


def one_heap() -> None:
    """Keep the C heap in one arena, before the app starts its threads. glibc gives each new
    thread an arena of its own (up to 8 per core): every refresh runs its sources on fresh
    threads, and each arena kept what its thread's parsing left (25,000 events: 7 MB more
    resident, a 150 MB peak instead of 105). Under the GIL, threads seldom allocate at once,
    so one arena costs no measurable time. A 25,000-event `list` touches 52 MB less fresh
    memory with it (41,000 page faults -> 28,000, each 2-10 us on a virtual machine): what
    one calendar's page freed serves the next thread's. Nothing off glibc."""
    try:
        _libc().mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass


def give_back_memory() -> None:
    """After a refresh, hand the C heap's free pages back (glibc keeps what a fetch's parsing
    freed; a service idles for hours holding it). Nothing elsewhere."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


def one_shot() -> None:
    """For a process that builds a large state once and exits (the Google helper): what it
    builds lives until the end, so the cyclic collector's passes over it are pure cost (a
    25,000-event `list` made about 40 of them and spent 0.3 CPU-s there). Freeze what was
    imported and collect young objects every 50,000 allocations instead of 700: cycles are
    still collected, memory stays bounded."""
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


@contextmanager
def build_then_exit():
    """Around the work of `list`, which reads one bounded input (the calendars' pages, the
    cache), prints it and ends the process: no automatic collection at all. Every young pass
    walks objects that all survive (at 25,000 events even one_shot's rare passes cost 0.07
    CPU-s, a third of planning them), and the few cycles made are let go when the process
    ends (a 25,000-event `list` leaves 50,000 objects in cycles: the sources and their
    mirrors, kept to the end anyway). Bulk work elsewhere does the same (Mercurial's `nogc`).
    At the end what is left is frozen: the interpreter's last collection, which runs at exit
    whether collection is on or not, skips it (0.05 s of that `list`'s exit; the OS takes the
    memory back). Collection is on again afterwards if it was before."""
    was = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()
