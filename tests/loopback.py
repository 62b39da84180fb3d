"""A TCP listener on 127.0.0.1 for tests, whose accept loop really stops at `close()`.

On Linux a listening socket closed while another thread is blocked in accept() stays open and
listening (the blocked call holds it), so a later test's connection to a reused port number can
land on it: the accept loop here polls, and `close()` joins it before closing the socket."""

from __future__ import annotations

import socket
import threading


class Listener:
    def __init__(self, handle, threaded: bool = True):
        """handle(conn) for every connection: on a thread of its own, or (threaded=False) one
        after the other on the accept thread. `handle` owns the connection and closes it."""
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._handle, self._threaded = handle, threaded
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            if self._threaded:
                threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
            else:
                self._handle(conn)

    def close(self) -> None:
        self.stopping.set()
        self._thread.join(5)
        self.sock.close()
