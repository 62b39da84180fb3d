"""The channel's wire format: mutual proof of the token without sending it.

    client -> {"v": 1, "nonce": cn}                               (nothing else yet)
    server -> {"proof": HMAC(token, "server|" + cn), "nonce": sn}  (or {"ok": false, "error": "busy"})
    client -> {"req": body, "mac": HMAC(token, "client|" + sn + "|" + body)}   body: the JSON request
    server -> the JSON reply

One JSON object per line. The client checks the server's proof with `hmac.compare_digest`
before it reveals any command or URL, so a listener on a stale port learns nothing; the server
checks the client's MAC (bound to its own fresh nonce, so a recorded exchange cannot be replayed)
before it runs anything. The token itself never goes over the socket."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import time

VERSION = 1
HELLO_LIMIT = 512  # bytes of the client's first line
REQUEST_LIMIT = 32 * 1024  # bytes of the request line (a URL is at most 16,384 characters)
REPLY_LIMIT = 256 * 1024


class ChannelError(Exception):
    """The peer broke the protocol, ran past the deadline, or sent too much."""


def nonce() -> str:
    return secrets.token_hex(16)


def server_proof(token: str, client_nonce: str) -> str:
    return _mac(token, f"server|{client_nonce}")


def client_mac(token: str, server_nonce: str, body: str) -> str:
    return _mac(token, f"client|{server_nonce}|{body}")


def same(a: object, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a.encode(), b.encode())


def _mac(token: str, text: str) -> str:
    return hmac.new(token.encode(), text.encode(), hashlib.sha256).hexdigest()


def encode(obj: dict) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict:
    try:
        obj = json.loads(line)
    except ValueError:
        raise ChannelError("not JSON") from None
    if not isinstance(obj, dict):
        raise ChannelError("not a JSON object")
    return obj


class LineReader:
    """Reads newline-ended lines from a socket within one TOTAL deadline (time.monotonic()),
    however slowly the bytes arrive: each recv waits at most the time left."""

    def __init__(self, conn: socket.socket, deadline: float, buffered: bytes = b""):
        self.conn, self.deadline, self.buf = conn, deadline, buffered

    def line(self, limit: int) -> bytes:
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise ChannelError(f"line longer than {limit} bytes")
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise ChannelError("deadline passed")
            self.conn.settimeout(left)
            try:
                chunk = self.conn.recv(min(65536, limit + 1 - len(self.buf)))
            except socket.timeout:
                raise ChannelError("deadline passed") from None
            if not chunk:
                raise ChannelError("connection closed")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        if len(line) > limit:
            raise ChannelError(f"line longer than {limit} bytes")
        return line
