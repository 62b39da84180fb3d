"""Where one calendar's mirror (mirror.py) persists: JSON lines in a 0600 file under the data
folder's `google-sync/`. A header (format, calendar, account fingerprint, query), then items,
each batch of changes appended and closed by a `{"_sync": …}` line carrying the sync token. A
batch costs an append; the file is rewritten whole after a full sync and when the appended lines
pass a fifth of the items. A file that cannot be read is renamed aside (`.corrupt-…`) and a full
sync follows.

Once written, an `e`/`x` line is where its item's text lives: the mirror keeps the line's offset
(`Mirror.saved`) and reads the text back when it needs it (`text_at`). That holds only while the
file is the one this process wrote: its identity (inode, size, modification time) is kept after
each write and checked before each read; another process's write (a `list` beside the running
app) makes it `MirrorLost`, and the calendar is read again."""

from __future__ import annotations

import json
import logging
import math
import mmap
import os
import time
from datetime import date, datetime, timezone
from pathlib import Path

from webinar_tray.adapters.calendar.google.mirror import OFF, Mirror, MirrorLost
from webinar_tray.json_codec import loads

log = logging.getLogger(__name__)

FORMAT = 1


class MirrorFile:
    """One calendar's mirror file (see the module's docstring)."""

    def __init__(self, path: Path, header: dict) -> None:
        self.path = Path(path)
        self.header = dict(header, v=FORMAT)
        self.appended = 0  # lines appended since the last whole write
        self.whole = False  # the next save rewrites the file
        self._identity: tuple | None = None  # the file as this process last wrote or read it
        self._fh = None  # open for reading texts until `release()`
        self._map: mmap.mmap | None = None  # ... and mapped: a listing may read every line
        self.torn = False  # the last read-only load left out a torn last line

    # -- reading ----------------------------------------------------------------------------

    def load(self, mirror: Mirror, name: str, read_only: bool = False) -> bool:
        """Fills `mirror` from the file; False (mirror empty) when there is none or it belongs
        to another account/query; a file that cannot be read is set aside. `read_only` (a reader
        beside the process that writes the file): a torn last line (an append in progress) ends
        the reading and `torn` says so, and a file that cannot be read is left where it is."""
        self.torn = False
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            return False
        except OSError as e:
            log.warning("%s: cannot read the saved mirror (%s); reading the calendar again",
                        name, type(e).__name__)
            return False
        try:
            with fh:
                loaded = self._replay(fh, mirror, read_only)
                self._identity = _identity(os.fstat(fh.fileno()))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as e:
            mirror.clear()
            if read_only:
                log.warning("%s: the saved mirror %s cannot be read (%s)", name, self.path.name,
                            type(e).__name__)
            else:
                self._set_aside(name, e)
            return False
        mirror.reader = self.text_at
        return loaded

    def _replay(self, fh, mirror: Mirror, read_only: bool = False) -> bool:
        first = fh.readline()
        head = json.loads(first.decode("utf-8") or "null")
        if not isinstance(head, dict) or head.get("v") != FORMAT:
            raise ValueError("not a mirror file")
        if any(head.get(k) != v for k, v in self.header.items()):
            return False  # another account, calendar or query: a full sync replaces it
        lines, offset = 0, len(first)
        for raw_line in fh:
            at, offset = offset, offset + len(raw_line)
            if not raw_line.endswith(b"\n"):
                if read_only:
                    self.torn = True
                    break
                raise ValueError("a torn last line")
            line = raw_line[:-1].decode("utf-8")
            if line.startswith("e "):
                _, iid, lo, hi, _ = line.split(" ", 4)
                mirror.put(iid, float(lo), float(hi), OFF + at)
            elif line.startswith("x "):
                _, iid, lo, hi, series, key, _ = line.split(" ", 6)
                mirror.put(iid, float(lo), float(hi), OFF + at, series, _key(key))
            elif line.startswith("j "):
                mirror.apply(loads(line[2:]), line[2:], line=False)
            else:
                s = json.loads(line)["_sync"]
                mirror.meta(s.get("token"), s.get("name"), s.get("zone"))
                mirror.floor = float(s.get("floor", -math.inf))
            lines += 1
        if mirror.floor > -math.inf:
            mirror.prune(mirror.floor)
        self.appended = max(0, lines - len(mirror))
        return mirror.token is not None

    @property
    def current(self) -> bool:
        """Whether the file holds the mirror as this process last read or wrote it (False when
        the next save must rewrite it: after a failed save, before the first)."""
        return not self.whole and self._identity is not None

    def unchanged(self) -> bool:
        """Whether the file is as this process last read or wrote it (none: never was one)."""
        try:
            return _identity(os.stat(self.path)) == self._identity
        except OSError:
            return self._identity is None

    def text_at(self, offset: int) -> str:
        """The item text of the `e`/`x` line starting at `offset` (MirrorLost when the file is
        not the one this process wrote, or holds no such line there). The file stays open until
        `release()` (a listing reads many)."""
        try:
            if self._map is None:
                fh = open(self.path, "rb")
                if _identity(os.fstat(fh.fileno())) != self._identity:
                    fh.close()
                    raise MirrorLost(f"{self.path.name} was changed by another process")
                self._fh = fh
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            end = self._map.find(b"\n", offset)
            line = self._map[offset:end + 1 if end >= 0 else offset].decode("utf-8")
        except (OSError, ValueError, UnicodeDecodeError) as e:
            self.release()
            raise MirrorLost(f"{self.path.name} cannot be read ({type(e).__name__})") from None
        parts = line.rstrip("\n").split(" ", 6 if line.startswith("x ") else 4)
        if not line.endswith("\n") or parts[0] not in ("e", "x") or len(parts) not in (5, 7):
            raise MirrorLost(f"{self.path.name} holds no item at {offset}")
        return parts[-1]

    def release(self) -> None:
        """Closes the file `text_at` opened (before a write replaces it: Windows refuses to
        replace an open file)."""
        try:
            if self._map is not None:
                self._map.close()
            if self._fh is not None:
                self._fh.close()
        finally:
            self._map = self._fh = None

    def forget(self) -> None:
        """The mirror starts over (MirrorLost): the next save writes the file whole."""
        self.release()
        self._identity, self.whole = None, True

    def _set_aside(self, name: str, e: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(self.path, aside)
        except OSError:
            aside = None
        log.warning("%s: the saved mirror %s cannot be read (%s); %s, reading the calendar again",
                    name, self.path.name, type(e).__name__,
                    f"set aside as {aside.name}" if aside else "it could not be renamed")

    # -- writing ----------------------------------------------------------------------------

    def save(self, mirror: Mirror, changed: list[str], name: str) -> None:
        """Appends `changed` (JSON lines) and the sync token, or rewrites the whole file; then
        the mirror keeps the offsets of what was written instead of the texts."""
        marker = json.dumps({"_sync": {"token": mirror.token, "name": mirror.name, "zone": mirror.zone,
                                       "floor": mirror.floor}})
        try:
            if self.whole or not self.path.exists() or self.appended > max(500, len(mirror) // 5):
                self._whole(mirror, marker)
                return
            self._append(mirror, changed, marker)
        except MirrorLost:
            raise
        except OSError as e:
            self.whole = True  # a torn append is rewritten whole next time
            log.warning("%s: cannot save the mirror (%s); it is kept in memory", name, type(e).__name__)

    def _whole(self, mirror: Mirror, marker: str) -> None:
        from webinar_tray.config.private import write_private

        head = json.dumps(self.header)
        lines, offsets, texts, entries = [head], {}, {}, mirror.entries
        offset = len(head.encode("utf-8")) + 1
        for iid, line in mirror.lines():  # texts on disk are read from the old file here
            if iid is not None and line[1] == " " and line[0] in "ex":
                offsets[iid], texts[iid] = offset, entries[iid][2]
            lines.append(line)
            # the line's length in bytes: its length when it is ASCII (Google's JSON as
            # orjson writes it, mostly), without encoding every line on its own
            offset += (len(line) if line.isascii() else len(line.encode("utf-8"))) + 1
        lines.append(marker)
        lines.append("")
        data = "\n".join(lines).encode("utf-8")
        self.release()
        write_private(self.path, data)
        self._identity = _identity(os.stat(self.path))
        self.whole, self.appended = False, 0
        mirror.reader = self.text_at
        mirror.saved(offsets, texts)

    def _append(self, mirror: Mirror, changed: list[str], marker: str) -> None:
        from webinar_tray.config.private import open_private

        fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
        with os.fdopen(fd, "ab") as f:
            st = os.fstat(f.fileno())
            if self._identity is not None and _identity(st) != self._identity:
                raise MirrorLost(f"{self.path.name} was changed by another process")
            offset, offsets, texts = st.st_size, {}, {}
            parts = []
            for line in changed:
                data = line.encode("utf-8") + b"\n"
                if line[:2] in ("e ", "x "):
                    iid = line.split(" ", 2)[1]
                    offsets[iid], texts[iid] = offset, mirror.entries.get(iid, (0, 0, None))[2]
                parts.append(data)
                offset += len(data)
            parts.append(marker.encode("utf-8") + b"\n")
            f.write(b"".join(parts))
            f.flush()
            self._identity = _identity(os.fstat(f.fileno()))
        self.appended += len(changed) + 1
        mirror.reader = self.text_at
        mirror.saved(offsets, texts)


def saved_owner(path: Path) -> str | None:
    """The sign-in a saved mirror belongs to, as its header says (None: no readable mirror)."""
    try:
        with open(path, "rb") as fh:
            head = json.loads(fh.readline().decode("utf-8") or "null")
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(head, dict) or head.get("v") != FORMAT:
        return None
    owner = head.get("account")
    return owner if isinstance(owner, str) and owner else None


def _key(text: str):
    """An exception's original start as its `x` line writes it (Mirror._line)."""
    if text[0] == "T":
        return datetime.fromtimestamp(float(text[1:]), timezone.utc)
    if text[0] == "D":
        return date.fromisoformat(text[1:])
    raise ValueError("not an original start")


def _identity(st: os.stat_result) -> tuple:
    return st.st_ino, st.st_size, st.st_mtime_ns
