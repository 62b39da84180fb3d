"""lazy_modules: a deferred module runs its code once, on its first use, from any thread; the
Google libraries' heavy imports stay out of a process that never uses them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from webinar_tray import lazy_modules


@pytest.fixture
def pkg(tmp_path, monkeypatch):
    """A package `lzpkg_<n>` on sys.path whose modules count their runs in `lzpkg_runs`."""
    name = f"lzpkg_{tmp_path.name.replace('-', '_')}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "slow.py").write_text(textwrap.dedent("""
        import time, builtins
        builtins.lzpkg_runs = getattr(builtins, "lzpkg_runs", 0) + 1
        time.sleep(0.3)          # long enough for other threads to arrive mid-load
        VALUE = 42
        def double(x):
            return 2 * x
        LAST = "set last"
    """))
    (root / "user.py").write_text(f"from {name} import slow\nfrom {name} import slow as again\n")
    (root / "broken.py").write_text("raise RuntimeError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import builtins

    monkeypatch.setattr(builtins, "lzpkg_runs", 0, raising=False)
    lazy_modules.defer(f"{name}.slow", f"{name}.broken")
    yield name
    for m in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[m]
    lazy_modules._finder.names.difference_update({f"{name}.slow", f"{name}.broken"})


def test_importing_does_not_run_the_module_and_importing_again_does_not_either(pkg):
    import builtins
    import importlib

    mod = importlib.import_module(f"{pkg}.slow")
    importlib.import_module(f"{pkg}.user")  # `from pkg import slow` twice, a second import
    importlib.import_module(f"{pkg}.slow")
    assert builtins.lzpkg_runs == 0
    assert lazy_modules.is_deferred(mod)
    assert mod.__name__ == f"{pkg}.slow"  # names are readable without running it
    assert builtins.lzpkg_runs == 0
    assert mod.VALUE == 42 and mod.double(4) == 8
    assert builtins.lzpkg_runs == 1 and not lazy_modules.is_deferred(mod)
    assert sys.modules[f"{pkg}.user"].slow is mod


def test_threads_reading_a_module_as_it_loads_all_see_it_whole_and_it_runs_once(pkg):
    import builtins
    import importlib

    mod = importlib.import_module(f"{pkg}.slow")
    got, errors = [], []
    start = threading.Barrier(8)

    def read():
        start.wait()
        try:
            got.append((mod.VALUE, mod.LAST))
        except Exception as e:  # 3.11's LazyLoader: AttributeError on a half-loaded module
            errors.append(repr(e))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert got == [(42, "set last")] * 8
    assert builtins.lzpkg_runs == 1


def test_setting_an_attribute_loads_the_module_first(pkg):
    import importlib

    mod = importlib.import_module(f"{pkg}.slow")
    mod.VALUE = 7  # as monkeypatching a library would
    assert mod.VALUE == 7 and mod.double(1) == 2


def test_a_module_that_fails_raises_on_its_first_use_and_again_after(pkg):
    import importlib

    mod = importlib.import_module(f"{pkg}.broken")
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken on purpose"):
            mod.anything


def test_google_client_libraries_leave_cryptography_and_pyparsing_unloaded_until_needed():
    """What the helper and `list` import, in a fresh interpreter: the libraries work (a service
    is built, a request is made up) without cryptography or pyparsing; httplib2's challenge
    parser and google-auth's JWT module load when used."""
    code = textwrap.dedent("""
        import sys
        from webinar_tray.adapters.calendar.google.tokens import credentials_from
        from webinar_tray.adapters.calendar.google.service import build_service
        creds = credentials_from({"token": "t", "refresh_token": "r", "client_id": "c",
                                  "client_secret": "s", "token_uri": "http://127.0.0.1:9/token"})
        service = build_service(creds, "http://127.0.0.1:9/", 5)
        service.events().list(calendarId="primary", maxResults=5)
        heavy = ("pyparsing", "cryptography", "cryptography.x509", "google.auth.crypt")
        print(sorted(m for m in heavy if m in sys.modules))
        import httplib2.auth, google.auth.jwt
        httplib2.auth._parse_www_authenticate({"www-authenticate": 'Bearer realm="x"'})
        print(google.auth.jwt.encode.__name__, "pyparsing" in sys.modules, "cryptography" in sys.modules)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[]", "encode True True"]
