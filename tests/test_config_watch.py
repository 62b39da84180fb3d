import os

from webinar_tray.config.watch import ConfigWatcher


def test_watcher_applies_changes_and_keeps_old_settings_on_a_bad_edit(tmp_path, caplog):
    f = tmp_path / "config.toml"
    f.write_text("[join]\nlead_seconds = 30\n")
    applied = []
    w = ConfigWatcher(f, demo=False, apply=applied.append)
    w.check()
    assert applied == []  # nothing changed since it started

    def write(text):
        f.write_text(text)
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))  # a visibly newer mtime

    write("[join]\nlead_seconds = 45\n")
    w.check()
    assert [s.join.lead_seconds for s in applied] == [45]
    write("[join]\nlead_seconds = 'soon'\n")
    w.check()
    assert len(applied) == 1 and "config change ignored" in caplog.text and "join.lead_seconds" in caplog.text
    write("[join]\nlead_seconds = 10\n")
    w.check()
    assert [s.join.lead_seconds for s in applied] == [45, 10]


def test_demo_mode_allows_the_demo_site_host_only_in_demo(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("")
    got = []
    w = ConfigWatcher(f, demo=True, apply=got.append)
    w._stamp = None
    w.check()
    assert "127.0.0.1" in got[0].join.allowed_hosts
    w2 = ConfigWatcher(f, demo=False, apply=got.append)
    w2._stamp = None
    w2.check()
    assert "127.0.0.1" not in got[1].join.allowed_hosts
