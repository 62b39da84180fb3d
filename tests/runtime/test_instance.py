import os

from webinar_tray.runtime.instance import ChannelServer, InstanceLock, read_channel, send


def test_one_lock_per_home_and_released_on_release(tmp_path):
    a, b = InstanceLock(tmp_path / "engine.lock"), InstanceLock(tmp_path / "engine.lock")
    assert a.acquire() and not b.acquire()
    a.release()
    assert b.acquire()
    b.release()


def test_a_crashed_owner_leaves_no_stale_lock(tmp_path):
    import subprocess
    import sys
    code = ("import os, sys; from webinar_tray.runtime.instance import InstanceLock; "
            "assert InstanceLock(__import__('pathlib').Path(sys.argv[1])).acquire(); os._exit(9)")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path / "engine.lock")]).returncode == 9
    assert InstanceLock(tmp_path / "engine.lock").acquire()


def test_channel_round_trip_needs_the_token_and_is_private(tmp_path):
    f = tmp_path / "engine.port"
    seen = []
    server = ChannelServer(f, lambda req: (seen.append(req["cmd"]), {"ok": True, "echo": req["cmd"]})[1])
    server.start()
    try:
        assert oct(os.stat(f).st_mode & 0o777) == "0o600"
        info = read_channel(f)
        assert info["pid"] == os.getpid() and info["port"] == server.port
        assert send(f, {"cmd": "ping"}) == {"ok": True, "echo": "ping"}
        import json
        import socket
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            s.sendall(json.dumps({"cmd": "join", "token": "wrong"}).encode() + b"\n")
            assert json.loads(s.makefile().readline()) == {"ok": False, "error": "bad token"}
        assert seen == ["ping"]
    finally:
        server.stop()
    assert not f.exists() and send(f, {"cmd": "ping"}) is None
