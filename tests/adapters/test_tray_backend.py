"""The pystray backend choice (pure: the probes are passed in)."""

from webinar_tray.adapters.desktop.tray.backend import choose_backend
from webinar_tray.env import Env


def choose(platform="linux", env=None, gtk=True, ai=True, sni=True):
    env = {"DISPLAY": ":0"} if env is None else env
    return choose_backend(Env(platform=platform, environ=env), lambda: gtk, lambda: ai, lambda: sni)


def test_windows_and_macos_use_pystrays_own_backend():
    assert choose("win32").name is None and choose("win32").shown
    assert choose("darwin", env={}).name is None and choose("darwin", env={}).shown


def test_linux_prefers_appindicator_when_a_host_shows_it_then_gtk_then_xorg():
    assert choose().name == "appindicator"
    assert choose(sni=False).name == "gtk", "no StatusNotifier host (e.g. trayer): an XEmbed icon"
    assert choose(ai=False).name == "gtk"
    plain = choose(gtk=False)
    assert plain.name == "xorg" and "PyGObject" in plain.note and "apt-get install" in plain.note


def test_wayland_counts_as_a_display_and_none_means_no_icon():
    assert choose(env={"WAYLAND_DISPLAY": "wayland-0"}).shown
    none = choose(env={})
    assert not none.shown and "webinar-tray run" in none.note


def test_the_users_pystray_backend_wins():
    c = choose(env={"DISPLAY": ":0", "PYSTRAY_BACKEND": "xorg"})
    assert c.name == "xorg" and "PYSTRAY_BACKEND" in c.note


def test_plain_x11_titles_are_latin1_and_other_backends_keep_unicode():
    from webinar_tray.adapters.desktop.tray.icon import title_for

    text = "Next: Ünïcode — in 2 h · x … 漢字"
    x11 = title_for("xorg", text)
    x11.encode("latin-1")  # what python-xlib's WM_NAME writer does: must not raise
    assert x11 == "Next: Ünïcode - in 2 h · x ... ??"
    assert title_for("gtk", text) == text and title_for("win32", text) == text


def test_the_gl_switch_is_ours_only_until_gtk_started(monkeypatch):
    """GDK_GL=disable keeps GDK from loading a GL driver (~55 MB on Mesa) for an icon that
    never draws with GL; children must not inherit it, and a user's own value is kept."""
    import os

    from webinar_tray.adapters.desktop.tray import backend

    linux = Env.real().with_(platform="linux")  # the process's own environment, read and written
    assert backend.PROCESS_ENVIRON is os.environ
    monkeypatch.delenv("GDK_GL", raising=False)
    monkeypatch.setenv("PYSTRAY_BACKEND", "gtk")  # (forced: no probing here)
    monkeypatch.setattr(backend, "_name_the_program", lambda: None)
    backend.select_backend(linux)
    assert os.environ.get("GDK_GL") == "disable"
    backend.forget_gl_switch()
    assert "GDK_GL" not in os.environ

    monkeypatch.setenv("GDK_GL", "always")  # the user's
    backend.select_backend(linux)
    backend.forget_gl_switch()
    assert os.environ["GDK_GL"] == "always"

    monkeypatch.delenv("GDK_GL")
    monkeypatch.setenv("PYSTRAY_BACKEND", "xorg")  # no GTK: nothing left behind
    backend.select_backend(linux)
    assert "GDK_GL" not in os.environ
    assert os.environ["PYSTRAY_BACKEND"] == "xorg"

    monkeypatch.delenv("PYSTRAY_BACKEND")  # not Linux: no GL switch at all
    backend.select_backend(Env(platform="win32", environ={}))
    assert "GDK_GL" not in os.environ and "PYSTRAY_BACKEND" not in os.environ
