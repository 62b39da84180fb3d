"""Loopback replicas of real webinar sites, served over TLS under their real host names.

`Replicas` runs one HTTPS server on 127.0.0.1 (port chosen by the OS) with a self-signed
certificate made at test time; it tells the sites apart by the Host header. Chromium reaches it
through `browser_args()`: `--host-resolver-rules` maps each real host name to the server, and
`--ignore-certificate-errors` accepts the test certificate. Every request is recorded as a Visit.
"""

from tests.replicas.server import HOSTS, Replicas, Visit

__all__ = ["HOSTS", "Replicas", "Visit"]
