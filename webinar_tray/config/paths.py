"""Where everything lives. One place computes the folders; everyone else is handed a Paths."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from webinar_tray import APP_NAME

HOME_ENV = "WEBINAR_TRAY_HOME"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path  # database, screenshots, browser profile (per mode: real or demo)
    log_dir: Path
    home: Path | None  # set when everything lives under one forced folder
    demo: bool = False

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "webinar-tray.sqlite3"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    def real(self) -> "Paths":
        """The real (not demo) folders of the same home: the Google token, the browser profile
        and Playwright's browsers are shared by real and demo use. Itself when not in demo."""
        return replace(self, data_dir=self.data_dir.parent, demo=False) if self.demo else self

    def as_demo(self) -> "Paths":
        """The demo folders of the same home (its `demo/` data folder)."""
        real = self.real()
        return replace(real, data_dir=real.data_dir / "demo", demo=True)

    @property
    def profile_dir(self) -> Path:
        # One profile for real and demo use: sign-ins made with `browser` serve both.
        return self.real().data_dir / "browser-profile"

    @property
    def browsers_dir(self) -> Path:
        return self.real().data_dir / "ms-playwright"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "engine.lock"

    @property
    def channel_file(self) -> Path:
        return self.data_dir / "engine.port"

    @property
    def log_file(self) -> Path:
        return self.log_dir / ("webinar-tray-demo.log" if self.demo else "webinar-tray.log")

    def ensure(self) -> "Paths":
        """Makes the folders (0700) and, once per process, takes group/other permissions off
        what of ours was left looser (each change logged). Only our own files and folders: the
        home folder's other entries, and Playwright's browsers, are left as they are."""
        from webinar_tray.config.private import private_dir, tighten_tree

        for d in (self.config_dir, self.data_dir, self.log_dir):
            private_dir(d)
        base = self.real().data_dir
        tighten_tree([self.config_dir, base, self.log_dir], deep=False)
        tighten_tree([base / "evidence", base / "demo", self.profile_dir])
        return self


def resolve_paths(home: str | os.PathLike | None = None, demo: bool = False) -> Paths:
    """`home` (from --home) wins over WEBINAR_TRAY_HOME; neither: platformdirs' user folders."""
    home = home or os.environ.get(HOME_ENV) or None
    if home:
        root = Path(home).expanduser().resolve()
        data = root / "demo" if demo else root
        return Paths(config_dir=root, data_dir=data, log_dir=root / "logs", home=root, demo=demo)
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    data = Path(dirs.user_data_dir)
    return Paths(
        config_dir=Path(dirs.user_config_dir),
        data_dir=data / "demo" if demo else data,
        log_dir=Path(dirs.user_log_dir),
        home=None,
        demo=demo,
    )
