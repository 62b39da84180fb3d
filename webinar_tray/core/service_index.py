"""The catalogue indexed by host: which rows could match a host, in catalogue order.

A row matches a host only through one of its host patterns: `x` (x or a subdomain), `*.x`
(subdomains of x) or `label.*` (a first label on any domain). So the rows worth checking for
`a.b.zoom.us` are those keyed by `a.b.zoom.us`, `b.zoom.us`, `zoom.us` or `us`, plus the few
`label.*` rows: one dict lookup per label instead of a scan of every row (issue 13: 3.8 M
host comparisons for 25,000 events). `services.find_service` then runs its usual checks on
those rows only, so the answer is the full scan's (tests/core/test_service_index.py compares).
"""

from __future__ import annotations

from typing import Any, Sequence

_MAX_CACHED = 8192  # hosts remembered per index; a calendar names a few hundred


class HostIndex:
    def __init__(self, rows: Sequence[Any]) -> None:
        self._rows = tuple(rows)
        self._by_host: dict[str, list[int]] = {}
        self._any_domain: list[int] = []  # rows with a `label.*` pattern: checked for every host
        for i, row in enumerate(self._rows):
            for h in row.hosts:
                h = h.lower().strip().rstrip(".")
                if h.endswith(".*"):
                    self._any_domain.append(i)
                    continue
                key = h[2:] if h.startswith("*.") else h
                if key:
                    self._by_host.setdefault(key, []).append(i)
        self._cache: dict[str, tuple[Any, ...]] = {}

    def rows_for(self, host: str) -> tuple[Any, ...]:
        """The rows one of whose patterns may match `host` (lower case, no trailing dot), in
        catalogue order."""
        got = self._cache.get(host)
        if got is not None:
            return got
        found: set[int] = set(self._any_domain)
        label = host
        while label:
            found.update(self._by_host.get(label, ()))
            _, dot, label = label.partition(".")
            if not dot:
                break
        got = tuple(self._rows[i] for i in sorted(found))
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[host] = got
        return got


_INDEXES: dict[int, tuple[tuple, HostIndex]] = {}


def index_of(catalogue: tuple) -> HostIndex:
    """The index of `catalogue`, built once per catalogue object (it is kept alive with it)."""
    hit = _INDEXES.get(id(catalogue))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    if len(_INDEXES) > 16:  # test catalogues come and go
        _INDEXES.clear()
    index = HostIndex(catalogue)
    _INDEXES[id(catalogue)] = (catalogue, index)
    return index
