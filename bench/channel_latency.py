"""Channel latency (printed, never asserted): the round trip of a `ping` through the real
client (`instance.send`: connect, mutual HMAC handshake, request, reply) to a real
ChannelServer on 127.0.0.1, with 0 and with N idle connections held open (a local flood).

    uv run python bench/channel_latency.py [--pings 200] [--idle 200]
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webinar_tray.runtime.instance import ChannelServer, send  # noqa: E402


def round_trips(channel_file: Path, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        reply = send(channel_file, {"cmd": "ping"}, timeout=10)
        out.append(time.perf_counter() - t)
        if reply != {"ok": True}:
            print(f"  a ping got {reply!r}")
    return out


def report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"{label:<28} median {statistics.median(ms):6.2f} ms   p95 {p95:6.2f} ms   max {ms[-1]:6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pings", type=int, default=200)
    ap.add_argument("--idle", type=int, default=200)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="  (log) %(message)s")
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "engine.port"
        server = ChannelServer(f, lambda req: {"ok": True})
        server.start()
        try:
            round_trips(f, 10)  # warm-up
            report("ping, 0 idle connections", round_trips(f, args.pings))
            idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(args.idle)]
            time.sleep(0.2)  # all accepted
            report(f"ping, {args.idle} idle connections", round_trips(f, args.pings))
            for s in idle:
                s.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
