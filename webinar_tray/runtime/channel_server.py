"""The engine's end of the local channel (wire format: handshake.py).

Built to stay up under a flood from any local process: one thread waits in a selector (no
polling: it sleeps until a connection, a byte or the nearest deadline) and holds accepted
connections until their first line is complete; only then does a bounded pool of workers take
them. Each connection has ONE total deadline from its accept for the handshake and the request,
however slowly bytes trickle in. Connections beyond `pending` are dropped oldest first; a
complete hello beyond the pool's backlog gets {"ok": false, "error": "busy"} and is closed at
once. Bad requests are logged at most once a minute, with a count of the others. When the
thread's loop fails (a worker thread cannot start, too many open files), it logs and restarts
itself with a growing pause."""

from __future__ import annotations

import json
import logging
import os
import secrets
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from webinar_tray.config.private import write_private
from webinar_tray.runtime import handshake as hs

log = logging.getLogger(__name__)


class RateLimitedWarning:
    """log.warning at most once per `every` seconds; the next one says how many were dropped."""

    def __init__(self, logger: logging.Logger, every: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.logger, self.every, self.clock = logger, every, clock
        self._last: float | None = None
        self._suppressed = 0
        self._lock = threading.Lock()

    def warn(self, message: str) -> bool:
        with self._lock:
            now = self.clock()
            if self._last is not None and now - self._last < self.every:
                self._suppressed += 1
                return False
            n, self._last, self._suppressed = self._suppressed, now, 0
        self.logger.warning("%s%s", message, f" ({n} more like it suppressed)" if n else "")
        return True


class _Pending:
    __slots__ = ("deadline", "buf")

    def __init__(self, deadline: float):
        self.deadline, self.buf = deadline, b""


class ChannelServer:
    """`handler(request: dict) -> dict` runs for each authenticated request, on a worker thread."""

    def __init__(self, channel_file: Path, handler: Callable[[dict], dict], *, deadline: float = 5.0,
                 workers: int = 4, backlog: int = 4, pending: int = 64):
        self.channel_file = channel_file
        self.handler = handler
        self.token = secrets.token_urlsafe(24)
        self.deadline, self.max_pending = deadline, pending
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.setblocking(False)
        self.port = self._sock.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="channel-request")
        self._slots = threading.BoundedSemaphore(workers + backlog)
        self._bad = RateLimitedWarning(log)
        self.restarts = 0
        self._thread = threading.Thread(target=self._serve, name="channel", daemon=True)

    def start(self) -> None:
        self._thread.start()
        write_private(self.channel_file, json.dumps({"pid": os.getpid(), "port": self.port, "token": self.token}).encode())

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._thread.join(2)
        self._pool.shutdown(wait=False, cancel_futures=True)
        for s in (self._sock, self._wake_r, self._wake_w):
            s.close()
        try:
            info = json.loads(self.channel_file.read_text(encoding="utf-8"))
            if info.get("pid") == os.getpid() and info.get("port") == self.port:
                self.channel_file.unlink()
        except (OSError, ValueError, AttributeError):
            pass

    # ---- the channel thread ---------------------------------------------------------------
    def _serve(self) -> None:
        pause = 0.1
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self._loop()
            except Exception as e:  # noqa: BLE001 - whatever it was, the channel comes back
                if self._stop.is_set():
                    return
                if time.monotonic() - began > 60:
                    pause = 0.1
                self.restarts += 1
                log.warning("the channel thread failed (%s: %s); restarting it in %.1f s",
                            type(e).__name__, e, pause)
                self._stop.wait(pause)
                pause = min(pause * 2, 10.0)

    def _loop(self) -> None:
        sel = selectors.DefaultSelector()
        pending: dict[socket.socket, _Pending] = {}  # oldest first
        sel.register(self._sock, selectors.EVENT_READ, "listen")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stop.is_set():
                soonest = min((p.deadline for p in pending.values()), default=None)
                timeout = None if soonest is None else max(0.0, soonest - time.monotonic())
                for key, _ in sel.select(timeout):
                    if key.data == "wake":
                        return
                    if key.data == "listen":
                        self._accept(sel, pending)
                    elif key.fileobj in pending:
                        self._read_first_line(sel, pending, key.fileobj)
                self._expire(sel, pending)
        finally:
            for conn in pending:
                conn.close()
            sel.close()

    def _accept(self, sel, pending: dict) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            conn.setblocking(False)
            if len(pending) >= self.max_pending:  # the oldest idle connection makes room
                oldest = next(iter(pending))
                self._drop(sel, pending, oldest)
                self._bad.warn(f"channel: more than {self.max_pending} idle connections; dropping the oldest")
            pending[conn] = _Pending(time.monotonic() + self.deadline)
            sel.register(conn, selectors.EVENT_READ, "conn")

    def _read_first_line(self, sel, pending: dict, conn: socket.socket) -> None:
        p = pending[conn]
        try:
            chunk = conn.recv(hs.HELLO_LIMIT + 1 - len(p.buf))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(sel, pending, conn)
            return
        p.buf += chunk
        if b"\n" in p.buf:
            sel.unregister(conn)
            del pending[conn]
            self._dispatch(conn, p)
        elif len(p.buf) > hs.HELLO_LIMIT:
            self._drop(sel, pending, conn)
            self._bad.warn("channel: a bad request (first line too long)")

    def _expire(self, sel, pending: dict) -> None:
        now = time.monotonic()
        for conn in [c for c, p in pending.items() if p.deadline <= now]:
            self._drop(sel, pending, conn)
            self._bad.warn(f"channel: a connection sent no request within {self.deadline:g} s")

    @staticmethod
    def _drop(sel, pending: dict, conn: socket.socket) -> None:
        sel.unregister(conn)
        del pending[conn]
        conn.close()

    def _dispatch(self, conn: socket.socket, p: _Pending) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                conn.send(hs.encode({"ok": False, "error": "busy"}))
            except OSError:
                pass
            conn.close()
            self._bad.warn("channel: busy; a request was turned away")
            return
        try:
            self._pool.submit(self._answer, conn, p)
        except BaseException:
            self._slots.release()
            conn.close()
            raise

    # ---- a worker -------------------------------------------------------------------------
    def _answer(self, conn: socket.socket, p: _Pending) -> None:
        try:
            with conn:
                try:
                    req = self._authenticated_request(conn, p)
                except hs.ChannelError as e:
                    self._bad.warn(f"channel: a bad request ({e})")
                    return
                try:
                    reply = self.handler(req)
                except Exception as e:  # a bad request never takes the engine down
                    log.warning("channel command %r failed: %s", str(req.get("cmd"))[:40], e)
                    reply = {"ok": False, "error": str(e)}
                try:
                    self._reply(conn, reply, time.monotonic() + self.deadline)
                except hs.ChannelError:
                    pass  # the client went away; it asked, it was done
        finally:
            self._slots.release()

    def _authenticated_request(self, conn: socket.socket, p: _Pending) -> dict:
        reader = hs.LineReader(conn, p.deadline, p.buf)
        hello = hs.decode(reader.line(hs.HELLO_LIMIT))
        cn = hello.get("nonce")
        if hello.get("v") != hs.VERSION or not isinstance(cn, str) or not 16 <= len(cn) <= 128:
            raise hs.ChannelError("not a hello")
        sn = hs.nonce()
        self._reply(conn, {"proof": hs.server_proof(self.token, cn), "nonce": sn}, p.deadline)
        msg = hs.decode(reader.line(hs.REQUEST_LIMIT))
        body = msg.get("req")
        if not isinstance(body, str) or not hs.same(msg.get("mac"), hs.client_mac(self.token, sn, body)):
            self._reply(conn, {"ok": False, "error": "not authenticated"}, p.deadline)
            raise hs.ChannelError("wrong MAC: the sender does not know the token")
        return hs.decode(body.encode())

    @staticmethod
    def _reply(conn: socket.socket, obj: dict, deadline: float) -> None:
        try:
            conn.settimeout(max(0.05, deadline - time.monotonic()))
            conn.sendall(hs.encode(obj))
        except OSError as e:
            raise hs.ChannelError(f"could not answer: {e}") from None
