import pytest

from webinar_tray.config.files import load_settings
from webinar_tray.core.settings import ConfigError, Settings, parse_settings


def test_defaults_match_the_contract():
    s = Settings()
    assert s.google.calendars == ("primary",)
    assert s.google.api_endpoint == "https://www.googleapis.com/calendar/v3/"
    assert s.refresh.every_minutes == 60 and s.refresh.lookahead_hours == 48
    assert s.match.keywords == ("webinar",) and s.match.locations == ("BrightTALK",)
    assert (s.join.lead_seconds, s.join.grace_seconds, s.join.late_join, s.join.headless) == (60, 300, True, False)
    assert s.join.max_concurrent == 3 and s.join.step_timeout_seconds == 60
    assert s.notifications.remind_minutes == 5
    assert (s.demo.start_after_seconds, s.demo.duration_seconds) == (60, 120)


def test_values_are_read_and_lists_become_tuples():
    s, warnings = parse_settings({"join": {"lead_seconds": 30, "allowed_hosts": ["events.example.com"]},
                                  "ics": {"urls": ["a.ics"]}})
    assert s.join.lead_seconds == 30 and s.join.allowed_hosts == ("events.example.com",)
    assert s.ics.urls == ("a.ics",) and warnings == []


@pytest.mark.parametrize("data, key, expected", [
    ({"join": {"lead_seconds": "soon"}}, "join.lead_seconds", "whole number"),
    ({"join": {"lead_seconds": True}}, "join.lead_seconds", "whole number"),
    ({"join": {"headless": "yes"}}, "join.headless", "true or false"),
    ({"join": {"max_concurrent": 0}}, "join.max_concurrent", "from 1 to 20"),
    ({"match": {"keywords": "webinar"}}, "match.keywords", "list of strings"),
    ({"match": {"keywords": [1, 2]}}, "match.keywords", "list of strings"),
    ({"google": {"token_store": "vault"}}, "google.token_store", "one of"),
    ({"browser": {"channel": "firefox"}}, "browser.channel", "one of"),
    ({"join": 5}, "join", "table"),
])
def test_wrong_type_or_value_names_file_key_and_expectation(data, key, expected):
    with pytest.raises(ConfigError) as e:
        parse_settings(data, "/home/u/.config/webinar-tray/config.toml")
    msg = str(e.value)
    assert "/home/u/.config/webinar-tray/config.toml" in msg and key in msg and expected in msg


def test_unknown_keys_and_sections_warn():
    s, warnings = parse_settings({"join": {"no_such_key": 1}, "colour": {"x": 1}}, "c.toml")
    assert s == Settings()
    assert any("join.no_such_key" in w for w in warnings) and any("colour" in w for w in warnings)


def test_malformed_toml_names_the_file(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("[join\nlead_seconds = 3\n")
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    assert str(f) in str(e.value) and "TOML" in str(e.value)


def test_missing_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path / "nope.toml") == (Settings(), [])


def test_bare_hosts_only():
    with pytest.raises(ConfigError, match="allowed_hosts"):
        parse_settings({"join": {"allowed_hosts": ["https://x.example.com/path"]}})


# ---- [history]: the CPE report's decimal settings -------------------------------------------

def test_history_credits_take_decimals_and_whole_numbers():
    s, warnings = parse_settings({"history": {"minutes_per_credit": 50, "credit_step": 0.5}}, "c.toml")
    assert (s.history.minutes_per_credit, s.history.credit_step) == (50.0, 0.5) and warnings == []
    assert isinstance(s.history.minutes_per_credit, float)
    assert parse_settings({"history": {"minutes_per_credit": 52.5}})[0].history.minutes_per_credit == 52.5
    assert (Settings().history.minutes_per_credit, Settings().history.credit_step) == (60.0, 0.25)


@pytest.mark.parametrize("data, expected", [
    ({"minutes_per_credit": 0}, "key 'history.minutes_per_credit' must be a number from 1 to 1440, got 0"),
    ({"minutes_per_credit": "60"}, "key 'history.minutes_per_credit' must be a number from 1 to 1440, got '60'"),
    ({"minutes_per_credit": True}, "key 'history.minutes_per_credit' must be a number from 1 to 1440, got True"),
    ({"minutes_per_credit": float("nan")}, "key 'history.minutes_per_credit' must be a number from 1 to 1440"),
    ({"credit_step": 0.0}, "key 'history.credit_step' must be a number from 0.01 to 100, got 0.0"),
    ({"credit_step": float("inf")}, "key 'history.credit_step' must be a number from 0.01 to 100, got inf"),
    ({"credit_step": -0.25}, "key 'history.credit_step' must be a number from 0.01 to 100, got -0.25"),
])
def test_a_wrong_history_value_names_the_file_and_key(data, expected):
    with pytest.raises(ConfigError) as e:
        parse_settings({"history": data}, "/home/u/config.toml")
    assert str(e.value).startswith("/home/u/config.toml: ") and expected in str(e.value)


def test_history_keys_read_from_a_toml_file(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("[history]\nminutes_per_credit = 50.0\ncredit_step = 0.1\n")
    s, _ = load_settings(f)
    assert (s.history.minutes_per_credit, s.history.credit_step) == (50.0, 0.1)
