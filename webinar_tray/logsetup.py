"""Logging: a rotating file under the home folder, and stderr in service mode.
A filter cuts the query off any link that reaches a log line (Zoom pwd, ON24 keys, ICS tokens)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

_QUERY = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]+)[?#][^\s\"'<>]*")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def scrub(text: str) -> str:
    return _QUERY.sub(r"\1?…", text)


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:
            return True
        clean = scrub(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler whose files (the log and, as they are renamed, its rotations) are 0600
    whatever the umask: the stdlib opens with the umask's mode."""

    def _open(self):
        from webinar_tray.config.private import open_private

        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup(log_file: Path | None, stderr: bool, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.setLevel(logging.DEBUG)
    scrubber = ScrubFilter()
    if log_file is not None:
        from webinar_tray.config.private import private_dir

        private_dir(log_file.parent)
        fh = PrivateRotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        fh.setLevel(logging.DEBUG)
        fh.setFormatter(logging.Formatter(_FORMAT))
        fh.addFilter(scrubber)
        root.addHandler(fh)
    # A windowed (frozen) build has no console streams at all.
    if stderr and sys.stderr is not None:
        sh = logging.StreamHandler(sys.stderr)
        sh.setLevel(level)
        sh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        sh.addFilter(scrubber)
        root.addHandler(sh)
    from webinar_tray.config.private import flush_pending

    flush_pending()  # files made private before logging was set up
    # requests-oauthlib logs request bodies (codes, verifiers, tokens) at DEBUG and the OAuth
    # loopback server logs the redirect (with the code): never let them reach a handler.
    for noisy in ("urllib3", "googleapiclient.discovery_cache", "googleapiclient.discovery", "asyncio",
                  "filelock", "requests_oauthlib", "oauthlib", "google_auth_oauthlib", "google_auth_httplib2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
