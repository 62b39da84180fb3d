"""One engine per home folder, and a small local channel to hand work to it.

The lock is an OS file lock (filelock): it dies with the process, so a crash leaves no stale
lock. The running engine listens on 127.0.0.1 (port 0) and writes port, pid and a random token
to a 0600 file in its data folder; a request without the token is refused."""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from pathlib import Path
from typing import Callable

import filelock

from webinar_tray.config.files import write_private
from webinar_tray.config.private import LOCK_MODE

log = logging.getLogger(__name__)


class InstanceLock:
    def __init__(self, lock_file: Path):
        self.lock_file = lock_file
        self._lock = filelock.FileLock(str(lock_file), mode=LOCK_MODE)  # private, whatever the umask

    def acquire(self) -> bool:
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
            return True
        except filelock.Timeout:
            return False

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()


def read_channel(channel_file: Path) -> dict | None:
    try:
        return json.loads(channel_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class ChannelServer:
    """Answers one JSON line with one JSON line: {"token", "cmd", ...} -> {"ok", ...}.

    A thread blocks in accept() (no polling: socketserver's serve_forever wakes every 0.5 s,
    which was most of the idle app's CPU time); stop() unblocks it with a connection."""

    def __init__(self, channel_file: Path, handler: Callable[[dict], dict]):
        self.channel_file = channel_file
        self.handler = handler
        self.token = secrets.token_urlsafe(24)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="channel", daemon=True)

    def start(self) -> None:
        self._thread.start()
        write_private(self.channel_file, json.dumps({"pid": os.getpid(), "port": self.port, "token": self.token}).encode())

    def _serve(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self._stopping:
                conn.close()
                return
            threading.Thread(target=self._answer, args=(conn,), name="channel-request", daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                f = conn.makefile("rb")
                req = json.loads(f.readline(65536) or b"{}")
                if not isinstance(req, dict) or not secrets.compare_digest(str(req.get("token", "")), self.token):
                    reply = {"ok": False, "error": "bad token"}
                else:
                    reply = self.handler(req)
            except Exception as e:  # a bad request never takes the engine down
                log.warning("channel request failed: %s", e)
                reply = {"ok": False, "error": str(e)}
            try:
                conn.sendall(json.dumps(reply).encode() + b"\n")
            except OSError:
                pass

    def stop(self) -> None:
        self._stopping = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._sock.close()
        self._thread.join(2)
        try:
            info = read_channel(self.channel_file)
            if info and info.get("pid") == os.getpid():
                self.channel_file.unlink()
        except OSError:
            pass


def send(channel_file: Path, request: dict, timeout: float = 10.0) -> dict | None:
    """Send a request to the running engine; None when none answers."""
    info = read_channel(channel_file)
    if not info:
        return None
    try:
        with socket.create_connection(("127.0.0.1", int(info["port"])), timeout=timeout) as s:
            s.sendall(json.dumps({**request, "token": info["token"]}).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data or b"null")
    except (OSError, ValueError, KeyError):
        return None
