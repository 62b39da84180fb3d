"""Ad-hoc joins (`join URL`, "Join now") on the real store: one id per join, claim() checked."""

from datetime import timedelta

import pytest

from tests.fakes import T0, event
from tests.runtime.test_engine import Rig
from webinar_tray.core.plan import adhoc_minutes
from webinar_tray.runtime.store import Store


def test_two_joins_in_the_same_second_get_two_ids_and_two_records(tmp_path):
    r = Rig(tmp_path)
    a = r.engine.join_url("https://www.brighttalk.com/webcast/1/2", 10)
    b = r.engine.join_url("https://www.brighttalk.com/webcast/1/3", 10)
    c = r.engine.join_url("https://www.brighttalk.com/webcast/1/4", 10)
    stamp = a.id.removeprefix("adhoc/")
    assert [a.id, b.id, c.id] == [f"adhoc/{stamp}", f"adhoc/{stamp}-2", f"adhoc/{stamp}-3"]
    assert [j.id for j in r.joiner.calls] == [a.id, b.id, c.id]
    assert sorted(x.join_url for x in r.history()) == [a.join_url, b.join_url, c.join_url]


def test_an_adhoc_id_recorded_by_another_process_is_not_reused(tmp_path):
    r = Rig(tmp_path)
    first = r.engine.join_url("https://www.brighttalk.com/webcast/1/2", 10)
    r2 = Rig(tmp_path, clock=r.clock)  # a second engine on the same database, same second
    second = r2.engine.join_url("https://www.brighttalk.com/webcast/1/3", 10)
    assert second.id == first.id + "-2"
    assert {x.id for x in Store(tmp_path / "db.sqlite3").attendances()} == {first.id, second.id}


def test_join_now_does_not_join_an_id_another_process_claimed_meanwhile(tmp_path):
    ev = event(start=T0 + timedelta(hours=1))
    r = Rig(tmp_path, [ev])
    r.engine.refresh()
    [p] = r.engine.current_plan
    other = Store(tmp_path / "db.sqlite3")
    real_get = r.store.get

    def get_then_lose_the_race(id):  # another engine claims the id right after our look-up
        found = real_get(id)
        other.claim(r.engine._attendance(p, "joining"), r.clock.now())
        return found

    r.store.get = get_then_lose_the_race
    message = r.engine.join_now(p.id)
    assert "already" in message and r.joiner.calls == []


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "0", "0.5", "1441", "5000", "x", None, True])
def test_adhoc_minutes_refuses_what_is_not_1_to_1440(value):
    with pytest.raises(ValueError, match="minutes"):
        adhoc_minutes(value)


@pytest.mark.parametrize("value,expected", [("1", 1.0), (60, 60.0), ("1440", 1440.0), (90.5, 90.5)])
def test_adhoc_minutes_accepts_1_to_1440(value, expected):
    assert adhoc_minutes(value) == expected
