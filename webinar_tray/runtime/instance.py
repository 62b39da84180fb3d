"""One engine per home folder, and the client end of the small local channel to hand work to it.

The lock is an OS file lock (filelock): it dies with the process, so a crash leaves no stale
lock. The running engine listens on 127.0.0.1 (port 0) and writes port, pid and a random token
to a 0600 file in its data folder (channel_server.py). The port file, unlike the lock, outlives a
crash, so it is never trusted on its own: a client first tries the lock — when it gets it, no
engine runs, the file is stale and removed, and the caller becomes the engine — and only when
another process holds the lock does it connect; even then it sends nothing but a nonce until the
listener has proved it knows the token (handshake.py)."""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import filelock

from webinar_tray.config.private import LOCK_MODE
from webinar_tray.runtime import handshake as hs
from webinar_tray.runtime.channel_server import ChannelServer

__all__ = ["ChannelServer", "InstanceLock", "NoAnswer", "hand_over", "read_channel", "remove_stale", "send"]

log = logging.getLogger(__name__)

_BUSY = object()


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
            self._lock.release(force=True)


class NoAnswer(Exception):
    """Another process holds the instance lock, but no engine answered (and proved itself) on
    the channel: a standalone `join`, or an engine starting up, stopping or stalled."""


def read_channel(channel_file: Path) -> dict | None:
    try:
        info = json.loads(channel_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def remove_stale(channel_file: Path) -> None:
    """The caller holds the instance lock, so no engine runs: a port file is a crash's leftover."""
    info = read_channel(channel_file) or {}
    try:
        channel_file.unlink()
    except FileNotFoundError:
        return
    except OSError as e:
        log.warning("could not remove the stale port file %s: %s", channel_file, e.strerror or e)
        return
    log.warning("removed a stale port file %s (left by pid %s; no engine holds the lock)",
                channel_file, info.get("pid", "?"))


def hand_over(lock: InstanceLock, channel_file: Path, request: dict, timeout: float = 10.0,
              wait: float = 5.0) -> dict | None:
    """Hand `request` to the engine of this home folder and return its reply.

    None when no engine runs: the caller then HOLDS `lock` (and a port file left by a crash is
    gone), so it can be the engine itself. NoAnswer when another process holds the lock but no
    engine proves itself on the channel within `timeout` (waiting up to `wait` s for the port
    file, which an engine writes just after taking the lock)."""
    if lock.acquire():
        remove_stale(channel_file)
        return None
    reply = send(channel_file, request, timeout=timeout, wait=wait)
    if reply is not None:
        return reply
    if lock.acquire():  # the engine stopped meanwhile
        remove_stale(channel_file)
        return None
    raise NoAnswer("another instance holds the lock but does not answer")


def send(channel_file: Path, request: dict, timeout: float = 10.0, wait: float = 0.0) -> dict | None:
    """Send `request` to the engine whose port file this is; None when none answers or the
    listener cannot prove it knows the token (it then got a nonce, nothing else). Callers check
    the lock first (hand_over). Within `wait` s a missing port file is waited for, and one that
    failed is re-read in case a starting engine replaces it. A busy engine is asked again."""
    start = time.monotonic()
    deadline = start + max(timeout, wait)
    tried = None
    while True:
        info = read_channel(channel_file)
        if info is not None and info != tried:
            result = _exchange(channel_file, info, request, deadline)
            if result is _BUSY:
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.1)
                continue
            if result is not None:
                return result
            tried = info
        if time.monotonic() - start >= wait or time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def _exchange(channel_file: Path, info: dict, request: dict, deadline: float):
    try:
        port, token = int(info["port"]), info["token"]
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(token, str) or not 0 < port < 65536:
        return None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=max(0.05, deadline - time.monotonic())) as s:
            reader = hs.LineReader(s, deadline)
            cn = hs.nonce()
            s.sendall(hs.encode({"v": hs.VERSION, "nonce": cn}))
            hello = _line(reader, hs.HELLO_LIMIT)
            if hello.get("error") == "busy" and "proof" not in hello:
                return _BUSY
            sn = hello.get("nonce")
            if not hs.same(hello.get("proof"), hs.server_proof(token, cn)) or not isinstance(sn, str):
                log.warning("the process on the port named in %s did not prove it is the engine; "
                            "nothing was sent to it", channel_file)
                return None
            body = json.dumps(request)
            s.settimeout(max(0.05, deadline - time.monotonic()))
            s.sendall(hs.encode({"req": body, "mac": hs.client_mac(token, sn, body)}))
            return _line(reader, hs.REPLY_LIMIT)
    except (OSError, hs.ChannelError) as e:
        log.debug("channel %s: %s", channel_file, e)
        return None


def _line(reader: hs.LineReader, limit: int) -> dict:
    return hs.decode(reader.line(limit))
