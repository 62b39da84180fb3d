"""Configuration errors name the file, the key and what was expected, and never echo a value
that may be secret: `[ics] urls`, `[google] client_secrets` and anything holding "://" are
described by type only; other values are shown cleaned and cut."""

from __future__ import annotations

import pytest

from webinar_tray.config.files import load_settings
from webinar_tray.core.settings import ConfigError, parse_settings

ADDR = "https://calendar.example.com/calendar/ical/me%40example.com/private-5ecr3t0123/basic.ics"


@pytest.mark.parametrize("data, message", [
    ({"ics": {"urls": ADDR}}, "key 'ics.urls' must be a list of strings, got a string"),
    ({"ics": {"urls": [ADDR, 5]}}, "key 'ics.urls' must be a list of strings, got a list holding a whole number"),
    ({"ics": {"urls": [[ADDR]]}}, "key 'ics.urls' must be a list of strings, got a list holding a list"),
    ({"ics": {"urls": {"a": ADDR}}}, "key 'ics.urls' must be a list of strings, got a table"),
    ({"ics": ADDR}, "'ics' must be a table ([ics]), got a string"),
    ({"google": {"client_secrets": ["private-5ecr3t0123.json"]}},
     "key 'google.client_secrets' must be a string, got a list"),
    ({"google": {"calendars": ADDR}}, "key 'google.calendars' must be a list of strings, got a string holding an address"),
    ({"join": {"name": [ADDR]}}, "key 'join.name' must be a string, got a list"),
    ({"join": {"lead_seconds": ADDR}}, "key 'join.lead_seconds' must be a whole number, got a string holding an address"),
    ({"join": {"allowed_hosts": [ADDR]}},
     "every entry of 'join.allowed_hosts' must be a bare host name such as 'events.example.com', "
     "got a string holding an address"),
    ({"match": {"hosts": ["ok.example.com", ADDR]}}, "every entry of 'match.hosts'"),
])
def test_a_secret_or_an_address_is_described_by_type_only(data, message):
    with pytest.raises(ConfigError) as e:
        parse_settings(data, "/home/u/config.toml")
    msg = str(e.value)
    assert msg.startswith("/home/u/config.toml: ") and message in msg
    for part in ("private-5ecr3t0123", "me%40example.com", "calendar.example.com"):
        assert part not in msg


@pytest.mark.parametrize("data, shown", [
    ({"join": {"lead_seconds": "soon"}}, "got 'soon'"),
    ({"join": {"max_concurrent": 99}}, "got 99"),
    ({"match": {"hosts": ["a b.example"]}}, "got 'a b.example'"),
    # other values are shown, but cleaned (no escape sequence reaches a terminal) and cut
    ({"join": {"lead_seconds": "x\x1b]52;c;ZXZpbA==\x07" + "y" * 100}}, "got 'x\\x1b]52;c;ZXZpbA==\\x07yyyyyy"),
])
def test_other_wrong_values_are_shown_cleaned_and_cut(data, shown):
    with pytest.raises(ConfigError) as e:
        parse_settings(data, "c.toml")
    msg = str(e.value)
    assert shown in msg and "\x1b" not in msg and "y" * 50 not in msg


def test_an_unknown_key_that_is_an_address_is_not_echoed():
    _, warnings = parse_settings({"ics": {ADDR: 1}, "\x1b[2Kjoin": {}}, "c.toml")
    assert warnings == ["c.toml: unknown key 'ics.<a name holding an address>' (ignored)",
                        "c.toml: unknown section or key '[2Kjoin' (ignored)"]


def test_a_toml_error_quoting_an_address_key_cuts_it(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text(f'[ics]\n"{ADDR}" = 1\n"{ADDR}" = 2\n')
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    msg = str(e.value)
    assert "is not valid TOML" in msg and "private-5ecr3t0123" not in msg
