"""The process's local time zone set for a test (TZ + time.tzset) and restored exactly after."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest


@contextmanager
def local_zone(name: str):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
