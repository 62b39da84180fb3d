"""The format-keeping config writer: one key changes, everything else of the user's file stays."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from webinar_tray.config.files import load_settings
from webinar_tray.config.write import set_key
from webinar_tray.core.settings import ConfigError

USER_FILE = """\
# My webinar-tray settings — hand-written, please keep my notes.

[refresh]
every_minutes   = 30      # the office proxy is slow
lookahead_hours = 24

# Joining
[join]
late_join = true
headless  = false   # I like to watch
lead_seconds = 120
name = "Ada"        # for the forms

[notifications]
# enabled = false   # (an old experiment)
remind_minutes = 10
"""


def _private(path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0


def test_comments_order_and_formatting_survive(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")

    s = set_key(p, "join.headless", True)

    assert s.join.headless is True
    expected = USER_FILE.replace("headless  = false   # I like to watch", "headless  = true   # I like to watch")
    assert p.read_text(encoding="utf-8") == expected  # nothing else moved, not even spacing


def test_new_key_goes_to_the_end_of_its_table(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")

    set_key(p, "join.max_concurrent", 2)

    text = p.read_text(encoding="utf-8")
    lines = text.splitlines()
    i = lines.index('name = "Ada"        # for the forms')
    assert lines[i + 1] == "max_concurrent = 2"
    assert text.replace("max_concurrent = 2\n", "") == USER_FILE
    settings, warnings = load_settings(p)
    assert settings.join.max_concurrent == 2 and settings.join.name == "Ada" and warnings == []


def test_missing_table_is_appended(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")

    set_key(p, "browser.channel", "chromium")

    text = p.read_text(encoding="utf-8")
    assert text.startswith(USER_FILE)
    assert text[len(USER_FILE):].strip() == '[browser]\nchannel = "chromium"'
    assert load_settings(p)[0].browser.channel == "chromium"


def test_missing_file_is_created_private(tmp_path):
    p = tmp_path / "new" / "folder" / "config.toml"

    set_key(p, "notifications.enabled", False)

    assert p.exists()
    assert load_settings(p)[0].notifications.enabled is False
    if sys.platform != "win32":
        assert _private(p)
    assert [f.name for f in p.parent.iterdir()] == ["config.toml"]  # no temp file left behind


def test_existing_file_is_rewritten_atomically_and_private(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")
    os.chmod(p, 0o644)
    inode_before = os.stat(p).st_ino

    set_key(p, "join.late_join", False)

    # os.replace of a temp file: a new inode, never a half-written original
    assert os.stat(p).st_ino != inode_before
    if sys.platform != "win32":
        assert _private(p)
    assert [f.name for f in tmp_path.iterdir()] == ["config.toml"]


@pytest.mark.parametrize(
    "broken",
    [
        "[join\nheadless = false\n",                    # unclosed table header
        "[join]\nheadless = false\nheadless = true\n",  # duplicate key
        "[join]\nname = \"unterminated\n",             # unterminated string
    ],
)
def test_corrupt_file_is_never_overwritten(tmp_path, broken):
    p = tmp_path / "config.toml"
    p.write_text(broken, encoding="utf-8")
    before = p.read_bytes()

    with pytest.raises(ConfigError) as e:
        set_key(p, "join.headless", True)

    msg = str(e.value)
    assert str(p) in msg and "not valid TOML" in msg and "not changed" in msg
    assert p.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["config.toml"]


def test_non_utf8_file_is_never_overwritten(tmp_path):
    p = tmp_path / "config.toml"
    p.write_bytes(b"[join]\nname = \"Jos\xe9\"\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        set_key(p, "join.headless", True)
    assert p.read_bytes() == b"[join]\nname = \"Jos\xe9\"\n"


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("join.headless", "yes", "true or false"),
        ("join.headless", 1, "true or false"),
        ("join.max_concurrent", True, "a whole number"),
        ("join.max_concurrent", 0, "from 1 to 20"),
        ("browser.channel", "firefox", "one of"),
        ("match.keywords", "webinar", "a list of strings"),
        ("join.name", None, "cannot be set"),
        ("join.nonsense", True, "unknown key"),
        ("nonsense", True, "unknown key"),
    ],
)
def test_wrong_value_is_refused_and_nothing_written(tmp_path, key, value, expected):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")

    with pytest.raises(ConfigError) as e:
        set_key(p, key, value)

    assert str(p) in str(e.value) and expected in str(e.value)
    assert p.read_text(encoding="utf-8") == USER_FILE


def test_wrong_value_does_not_create_a_missing_file(tmp_path):
    p = tmp_path / "config.toml"
    with pytest.raises(ConfigError):
        set_key(p, "join.headless", "maybe")
    assert not p.exists()


def test_reread_gives_the_new_values(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")

    set_key(p, "join.headless", True)
    set_key(p, "match.keywords", ("webinar", "Live session"))
    set_key(p, "notifications.enabled", False)  # the commented-out line stays a comment

    s, warnings = load_settings(p)
    assert (s.join.headless, s.match.keywords, s.notifications.enabled) == (
        True, ("webinar", "Live session"), False)
    assert (s.refresh.every_minutes, s.join.lead_seconds, s.notifications.remind_minutes) == (30, 120, 10)
    assert warnings == []
    assert "# enabled = false   # (an old experiment)" in p.read_text(encoding="utf-8")


def test_setting_the_same_value_writes_nothing(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE, encoding="utf-8")
    inode_before = os.stat(p).st_ino
    set_key(p, "join.late_join", True)
    assert os.stat(p).st_ino == inode_before
    assert p.read_text(encoding="utf-8") == USER_FILE


def test_crlf_bom_and_dotted_keys_are_kept(tmp_path):
    p = tmp_path / "config.toml"
    original = "\ufeff# windows notepad\r\njoin.headless = false  # dotted\r\n"
    p.write_bytes(original.encode("utf-8"))

    set_key(p, "join.headless", True)
    set_key(p, "join.late_join", False)

    text = p.read_bytes().decode("utf-8")
    assert text == "\ufeff# windows notepad\r\njoin.headless = true  # dotted\r\njoin.late_join = false\r\n"
    s = load_settings(p)[0]
    assert s.join.headless is True and s.join.late_join is False


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlinked_config_keeps_the_link(tmp_path):
    real = tmp_path / "dotfiles" / "webinar-tray.toml"
    real.parent.mkdir()
    real.write_text(USER_FILE, encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(real)

    set_key(link, "join.headless", True)

    assert link.is_symlink()
    assert load_settings(link)[0].join.headless is True
    assert "I like to watch" in real.read_text(encoding="utf-8")
