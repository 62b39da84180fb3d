"""A hostile listener for channel tests: what a stale port file may point at after a crash."""

from __future__ import annotations

from tests.loopback import Listener


class Recorder:
    """A listener on 127.0.0.1 that accepts every connection and records every byte it gets;
    with `answer`, it replies to the first line as an impostor would (it has no token)."""

    def __init__(self, answer: bytes | None = None):
        self.answer = answer
        self.received = bytearray()
        self.connections = 0
        self._listener = Listener(self._record, threaded=False)
        self.port = self._listener.port

    def _record(self, conn):
        self.connections += 1
        with conn:
            conn.settimeout(3)
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    self.received += data
                    if self.answer and b"\n" in self.received:
                        conn.sendall(self.answer)
                        self.answer = None
            except OSError:
                pass

    def close(self):
        self._listener.close()
