from datetime import timedelta

import pytest

from tests.fakes import T0
from webinar_tray.core.outcome import judge, minutes_attended

END = T0 + timedelta(hours=1)


def gap(a_min, b_min):
    return {"from": (T0 + timedelta(minutes=a_min)).isoformat(),
            "to": (T0 + timedelta(minutes=b_min)).isoformat(), "why": "page crashed"}


@pytest.mark.parametrize("joined, left, gaps, by_page, expected", [
    (T0 - timedelta(minutes=1), END + timedelta(minutes=5), [], False, "attended"),
    (T0 + timedelta(minutes=2), END, [gap(10, 12)], False, "attended"),       # 4 min missing
    (T0 + timedelta(minutes=20), END, [], False, "partial"),                   # late join
    (T0, END, [gap(10, 16)], False, "partial"),                                # a 6 min gap
    (T0, END - timedelta(minutes=10), [], False, "partial"),                   # left early
    (T0, END - timedelta(minutes=10), [], True, "attended"),                   # the page said it ended
    (None, None, [], False, "failed"),
])
def test_judge(joined, left, gaps, by_page, expected):
    assert judge(T0, END, joined, left, gaps, by_page) == expected


def test_minutes_count_joined_time_less_gaps():
    assert minutes_attended(T0, END, [gap(10, 16)]) == 54.0
    assert minutes_attended(T0, T0 + timedelta(seconds=90), []) == 1.5
    assert minutes_attended(None, END, []) == 0.0
