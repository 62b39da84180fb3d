"""Memory handed back to the system."""

from __future__ import annotations


def give_back_memory() -> None:
    """After a refresh, hand the C heap's free pages back (glibc keeps what a fetch's parsing
    freed; a service idles for hours holding it). Nothing elsewhere."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
