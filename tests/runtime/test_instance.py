import json
import logging
import os
import socket
import stat
import threading
import time

import pytest

from tests.e2e.hostile import Recorder
from webinar_tray.runtime import handshake as hs
from webinar_tray.runtime.channel_server import RateLimitedWarning
from webinar_tray.runtime.instance import (
    ChannelServer, InstanceLock, NoAnswer, hand_over, read_channel, send,
)


def test_one_lock_per_home_and_released_on_release(tmp_path):
    a, b = InstanceLock(tmp_path / "engine.lock"), InstanceLock(tmp_path / "engine.lock")
    assert a.acquire() and not b.acquire()
    a.release()
    assert b.acquire()
    b.release()


def test_the_lock_file_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        lock = InstanceLock(tmp_path / "engine.lock")
        assert lock.acquire()
        assert stat.S_IMODE(os.stat(tmp_path / "engine.lock").st_mode) == 0o600
        lock.release()
    finally:
        os.umask(old)


def test_a_crashed_owner_leaves_no_stale_lock(tmp_path):
    import subprocess
    import sys
    code = ("import os, sys; from webinar_tray.runtime.instance import InstanceLock; "
            "assert InstanceLock(__import__('pathlib').Path(sys.argv[1])).acquire(); os._exit(9)")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path / "engine.lock")]).returncode == 9
    assert InstanceLock(tmp_path / "engine.lock").acquire()


@pytest.fixture
def server(tmp_path):
    seen = []
    s = ChannelServer(tmp_path / "engine.port", lambda req: (seen.append(req), {"ok": True, "echo": req["cmd"]})[1],
                      deadline=1.5)
    s.seen = seen
    s.start()
    yield s
    s.stop()


def test_channel_round_trip_is_private_and_never_sends_the_token(server, tmp_path):
    f = tmp_path / "engine.port"
    assert oct(os.stat(f).st_mode & 0o777) == "0o600"
    info = read_channel(f)
    assert info["pid"] == os.getpid() and info["port"] == server.port
    assert send(f, {"cmd": "ping"}) == {"ok": True, "echo": "ping"}
    assert server.seen == [{"cmd": "ping"}], "the token is not part of the request"
    server.stop()
    assert not f.exists() and send(f, {"cmd": "ping"}) is None


def test_a_listener_that_cannot_prove_the_token_gets_a_nonce_and_nothing_else(tmp_path):
    rec = Recorder(answer=hs.encode({"proof": "0" * 64, "nonce": "f" * 32}))
    f = tmp_path / "engine.port"
    f.write_text(json.dumps({"pid": 1, "port": rec.port, "token": "the-engine-token"}))
    try:
        assert send(f, {"cmd": "join", "url": "https://zoom.us/j/1?pwd=secret"}, timeout=3) is None
    finally:
        rec.close()
    assert rec.connections == 1
    [line] = bytes(rec.received).splitlines()
    assert set(json.loads(line)) == {"v", "nonce"}
    assert b"secret" not in rec.received and b"the-engine-token" not in rec.received


def test_a_real_server_with_another_token_fails_the_check_and_runs_nothing(server, tmp_path):
    f = tmp_path / "engine.port"
    info = read_channel(f)
    f.write_text(json.dumps({**info, "token": "not-the-token"}))
    assert send(f, {"cmd": "join", "url": "https://example.com/"}) is None
    assert server.seen == []


def test_a_client_without_the_token_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(hs.encode({"v": 1, "nonce": hs.nonce()}))
        reader = hs.LineReader(s, time.monotonic() + 5)
        hello = hs.decode(reader.line(hs.HELLO_LIMIT))
        body = json.dumps({"cmd": "join", "url": "https://example.com/"})
        s.sendall(hs.encode({"req": body, "mac": hs.client_mac("guessed", hello["nonce"], body)}))
        assert hs.decode(reader.line(1000)) == {"ok": False, "error": "not authenticated"}
    assert server.seen == []


def test_a_replayed_request_is_refused(server, tmp_path):
    token = read_channel(tmp_path / "engine.port")["token"]
    body = json.dumps({"cmd": "ping"})
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(hs.encode({"v": 1, "nonce": hs.nonce()}))
        reader = hs.LineReader(s, time.monotonic() + 5)
        first = hs.decode(reader.line(hs.HELLO_LIMIT))
        s.sendall(hs.encode({"req": body, "mac": hs.client_mac(token, first["nonce"], body)}))
        assert hs.decode(reader.line(1000))["ok"]
    with socket.create_connection(("127.0.0.1", server.port)) as s:  # same MAC, new server nonce
        s.sendall(hs.encode({"v": 1, "nonce": hs.nonce()}))
        reader = hs.LineReader(s, time.monotonic() + 5)
        reader.line(hs.HELLO_LIMIT)
        s.sendall(hs.encode({"req": body, "mac": hs.client_mac(token, first["nonce"], body)}))
        assert hs.decode(reader.line(1000)) == {"ok": False, "error": "not authenticated"}
    assert server.seen == [{"cmd": "ping"}]


def test_200_idle_connections_do_not_keep_a_real_client_out(server, tmp_path):
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(200)]
    try:
        assert send(tmp_path / "engine.port", {"cmd": "ping"}, timeout=10) == {"ok": True, "echo": "ping"}
    finally:
        for s in idle:
            s.close()


def test_a_slow_loris_is_cut_at_the_total_deadline(server):
    """1 byte per 0.5 s: every single read is quick, the request never ends. The server's total
    deadline (1.5 s here) closes it long before the 40 bytes are out."""
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.settimeout(0.5)
        closed = False
        for b in b'{"v": 1, "nonce": "0123456789abcdef0123456789"}':
            try:
                s.send(bytes([b]))
                sent += 1
                if s.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
    assert closed and sent < 20, f"the server kept a trickling connection for {sent} bytes"


def test_a_slow_loris_after_the_hello_is_cut_too(server, tmp_path):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(hs.encode({"v": 1, "nonce": hs.nonce()}))
        reader = hs.LineReader(s, time.monotonic() + 5)
        reader.line(hs.HELLO_LIMIT)
        s.settimeout(0.5)
        closed = False
        for i in range(40):
            try:
                s.send(b"{")
                if s.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
    assert closed and i < 20
    assert send(tmp_path / "engine.port", {"cmd": "ping"}) == {"ok": True, "echo": "ping"}


def test_a_request_over_the_size_cap_is_refused(server, tmp_path):
    huge = {"cmd": "join", "url": "https://example.com/" + "a" * (hs.REQUEST_LIMIT + 10)}
    assert send(tmp_path / "engine.port", huge) is None
    assert server.seen == []


def test_the_channel_thread_survives_a_worker_that_cannot_start(server, tmp_path, monkeypatch, caplog):
    real = server._pool.submit
    calls = []

    def failing_once(*a, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("can't start new thread")
        return real(*a, **kw)

    monkeypatch.setattr(server._pool, "submit", failing_once)
    f = tmp_path / "engine.port"
    with caplog.at_level(logging.WARNING, logger="webinar_tray.runtime.channel_server"):
        assert send(f, {"cmd": "ping"}) is None  # that connection was lost with the failure
        assert send(f, {"cmd": "ping"}, timeout=10, wait=5) == {"ok": True, "echo": "ping"}
    assert server.alive and server.restarts == 1
    assert any("restarting" in r.getMessage() for r in caplog.records)


def test_stop_unblocks_at_once_with_connections_pending(tmp_path):
    s = ChannelServer(tmp_path / "engine.port", lambda req: {"ok": True})
    s.start()
    idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(5)]
    s.stop()
    assert not s.alive
    for c in idle:
        c.close()


def test_busy_requests_are_turned_away_and_the_client_asks_again(tmp_path):
    entered, gate, results = threading.Event(), threading.Event(), []
    s = ChannelServer(tmp_path / "engine.port", lambda req: (entered.set(), gate.wait(10), {"ok": True})[2],
                      workers=1, backlog=0)
    s.start()
    try:
        first = threading.Thread(target=lambda: results.append(send(tmp_path / "engine.port", {"cmd": "ping"})))
        first.start()
        assert entered.wait(10), "the first request holds the only worker"
        with socket.create_connection(("127.0.0.1", s.port)) as c:
            c.sendall(hs.encode({"v": 1, "nonce": hs.nonce()}))
            assert hs.decode(c.makefile("rb").readline()) == {"ok": False, "error": "busy"}
        threading.Timer(0.5, gate.set).start()
        assert send(tmp_path / "engine.port", {"cmd": "ping"}, timeout=10) == {"ok": True}
        first.join(10)
        assert results == [{"ok": True}]
    finally:
        gate.set()
        s.stop()


def test_bad_requests_are_logged_once_a_minute_with_a_count(caplog):
    now = [0.0]
    logger = logging.getLogger("test.ratelimit")
    w = RateLimitedWarning(logger, 60.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.ratelimit"):
        assert w.warn("bad")
        for t in (1, 2, 59):
            now[0] = t
            assert not w.warn("bad")
        now[0] = 61
        assert w.warn("bad")
    assert [r.getMessage() for r in caplog.records] == ["bad", "bad (3 more like it suppressed)"]


def test_hand_over_with_a_stale_port_file_takes_the_lock_and_sends_nothing(tmp_path):
    rec = Recorder(answer=b'{"ok": true}\n')
    f = tmp_path / "engine.port"
    f.write_text(json.dumps({"pid": 999999, "port": rec.port, "token": "old"}))
    lock = InstanceLock(tmp_path / "engine.lock")
    try:
        assert hand_over(lock, f, {"cmd": "join", "url": "https://zoom.us/j/1?pwd=secret"}) is None
        assert not f.exists() and not InstanceLock(tmp_path / "engine.lock").acquire(), "the caller holds the lock"
    finally:
        lock.release()
        rec.close()
    assert rec.connections == 0 and rec.received == b""


def test_hand_over_to_a_running_engine_and_to_one_that_does_not_answer(server, tmp_path):
    engine = InstanceLock(tmp_path / "engine.lock")
    assert engine.acquire()
    try:
        assert hand_over(InstanceLock(tmp_path / "engine.lock"), tmp_path / "engine.port", {"cmd": "ping"}) \
            == {"ok": True, "echo": "ping"}
        server.stop()  # the lock is still held, but nobody answers (e.g. a standalone join)
        with pytest.raises(NoAnswer):
            hand_over(InstanceLock(tmp_path / "engine.lock"), tmp_path / "engine.port", {"cmd": "ping"},
                      timeout=1, wait=0.5)
    finally:
        engine.release()


def test_hand_over_waits_for_the_port_file_of_an_engine_that_is_starting(tmp_path):
    """The engine takes the lock first and writes its port file a moment later."""
    f = tmp_path / "engine.port"
    f.write_text(json.dumps({"pid": 1, "port": 9, "token": "old"}))  # a crash's leftover
    engine = InstanceLock(tmp_path / "engine.lock")
    assert engine.acquire()
    s = ChannelServer(f, lambda req: {"ok": True, "new": True})
    threading.Timer(0.5, s.start).start()
    try:
        assert hand_over(InstanceLock(tmp_path / "engine.lock"), f, {"cmd": "ping"}, wait=5) == {"ok": True, "new": True}
    finally:
        time.sleep(0.6)
        s.stop()
        engine.release()
