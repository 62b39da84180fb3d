"""Logging: a rotating file under the home folder, and stderr in service mode.

Every handler gets `ScrubFilter` and `ScrubFormatter`: a log line is one line of clean text
(core.text.clean_line: no escape sequences, bidi overrides or line breaks from calendar text), links
we log on purpose are passed as `SafeUrl` (scheme://host/path, kept as they are), and any other URL
in a message or a traceback is cut to scheme://host/… (a private iCal address is secret in its
path, a join link in its query)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from webinar_tray.core.redact import SafeUrl, cut_urls
from webinar_tray.core.text import clean_line, clean_lines

_QUERY = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]+)[?#][^\s\"'<>]*")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def scrub(text: str) -> str:
    return _QUERY.sub(r"\1?…", text)


def clean_message(record: logging.LogRecord) -> str:
    """The record's message as one clean line: SafeUrl arguments as they render, every other URL
    cut to scheme://host/…, control and bidi characters out."""
    marker = f"\ue000{os.urandom(4).hex()}"  # private-use: kept by the cleaner, ends a URL
    safe: dict[str, str] = {}

    def swap(a):
        if isinstance(a, SafeUrl):
            key = f"{marker}{len(safe)}\ue001"
            safe[key] = clean_line(str(a))
            return key
        return a

    args = record.args
    if isinstance(args, tuple):
        args = tuple(swap(a) for a in args)
    elif isinstance(args, Mapping):
        args = {k: swap(v) for k, v in args.items()}
    msg = str(record.msg)
    if args:
        msg = msg % args
    text = cut_urls(clean_line(msg))
    for key, value in safe.items():
        text = text.replace(key, value)
    return text


class ScrubFilter(logging.Filter):
    """Makes the record's message clean (`clean_message`), once per record (handlers share it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_webinar_tray_clean", False):
            return True
        try:
            msg = clean_message(record)
        except Exception:  # arguments that do not fit the message: never echo them raw
            msg = cut_urls(clean_line(record.msg)) + " [log arguments did not fit the message]"
        record.msg, record.args = msg, None
        record._webinar_tray_clean = True
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler whose files (the log and, as they are renamed, its rotations) are 0600
    whatever the umask: the stdlib opens with the umask's mode."""

    def _open(self):
        from webinar_tray.config.private import open_private

        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def scrub_block(text: str) -> str:
    """A traceback or stack: URLs cut to scheme://host/…, controls out, lines kept."""
    return cut_urls(clean_lines(text))


class ScrubFormatter(logging.Formatter):
    """A Formatter whose tracebacks and stacks are scrubbed like messages (lines kept)."""

    def formatException(self, ei) -> str:
        return scrub_block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return scrub_block(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_text:  # cached by another handler's formatter
            record.exc_text = scrub_block(record.exc_text)
        return super().format(record)


def _not_python_warnings(record: logging.LogRecord) -> bool:
    return record.name != "py.warnings"


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
        fh.setFormatter(ScrubFormatter(_FORMAT))
        fh.addFilter(scrubber)
        root.addHandler(fh)
    # A windowed (frozen) build has no console streams at all.
    if stderr and sys.stderr is not None:
        sh = logging.StreamHandler(sys.stderr)
        sh.setLevel(level)
        sh.setFormatter(ScrubFormatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        sh.addFilter(scrubber)
        sh.addFilter(_not_python_warnings)
        root.addHandler(sh)
    # Python warnings of the libraries (icalendar guessing a zone, deprecations) are records of
    # the "py.warnings" logger: in the log file, never on the terminal.
    logging.captureWarnings(True)
    from webinar_tray.config.private import flush_pending

    flush_pending()  # files made private before logging was set up
    # requests-oauthlib logs request bodies (codes, verifiers, tokens) at DEBUG and the OAuth
    # loopback server logs the redirect (with the code): never let them reach a handler. `schedule`
    # logs every job it runs at DEBUG (the 5-second config watch: 720 lines and 170 KB an hour).
    for noisy in ("schedule", "urllib3", "googleapiclient.discovery_cache", "googleapiclient.discovery", "asyncio",
                  "filelock", "requests_oauthlib", "oauthlib", "google_auth_oauthlib", "google_auth_httplib2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
