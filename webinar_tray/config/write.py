"""Writing one key of config.toml back, the way the user wrote the file: comments, key order,
blank lines, quoting and line endings stay as they are (tomlkit); only the one value changes, or
is added at the end of its table (a missing table is appended at the end of the file).

Safe by construction:
- a file that does not parse is never overwritten (ConfigError naming the file);
- the result is validated with the same schema the app reads it with (parse_settings) before
  anything is written, so a wrong type or value is refused and the file stays as it was;
- the write is atomic (a temp file in the same folder, then os.replace) and private (0600, as
  config/private.py's write_private does); a symlinked config.toml is written through the link."""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions

from webinar_tray.config.private import write_private
from webinar_tray.core.settings import ConfigError, Settings, parse_settings

_BOM = "\ufeff"
_MISSING = object()


def known_keys() -> dict[str, Any]:
    """'section.key' -> default value, for every key of the contract."""
    top = Settings()
    out: dict[str, Any] = {}
    for section in fields(top):
        default_section = getattr(top, section.name)
        for f in fields(default_section):
            out[f"{section.name}.{f.name}"] = getattr(default_section, f.name)
    return out


def _read(path: Path) -> tuple[str | None, bool]:
    """The file's text (None when missing) and whether it began with a UTF-8 BOM."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, False
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a file; not changed") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror or e}); not changed") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text; not changed (fix or remove the file)") from None
    if text.startswith(_BOM):
        return text[len(_BOM):], True
    return text, False


def _validated(data: dict, path: Path) -> Settings:
    try:
        settings, _ = parse_settings(data, str(path))
    except ConfigError as e:
        raise ConfigError(f"{e} (the file was not changed)") from None
    return settings


def set_key(path: Path | str, key: str, value: Any) -> Settings:
    """Set `key` ("section.name", e.g. "join.headless") to `value` in the config file at `path`,
    keeping everything else of the file as it is. Creates the file (and the table) when missing.
    Returns the settings the file now gives. Raises ConfigError (naming the file) for an unknown
    key, a wrong type or value, or an existing file that cannot be read or does not parse — in
    every error case the file is left untouched."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # keep the link (dotfile managers); write where it points
    known = known_keys()
    if key not in known:
        raise ConfigError(f"{path}: unknown key '{key}' (known: section.name, e.g. 'join.headless')")
    section, name = key.split(".", 1)
    if isinstance(value, tuple):
        value = list(value)

    text, bom = _read(path)
    doc, before, crlf = _document(path, text)
    current = before.get(section, {}).get(name, _MISSING) if isinstance(before.get(section), dict) else _MISSING
    if current is not _MISSING and current == value and type(current) is type(value):
        return _validated(before, path)  # already so: nothing to write

    _set(doc, path, key, value)
    new_text = tomlkit.dumps(doc)
    try:
        data = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as e:  # pragma: no cover - tomlkit writes valid TOML
        raise ConfigError(f"{path}: writing '{key}' would make the file invalid ({e}); not changed") from None
    settings = _validated(data, path)  # a wrong type or value raises here: nothing written

    if crlf:
        new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")
    if bom:
        new_text = _BOM + new_text
    try:
        write_private(path, new_text.encode("utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot be written ({e.strerror or e}); not changed") from None
    return settings


def _document(path: Path, text: str | None) -> tuple[tomlkit.TOMLDocument, dict, bool]:
    """(the file as a tomlkit document, as the app reads it, whether its lines end in CRLF);
    a missing file is an empty document with the platform's line ends."""
    if text is None:
        return tomlkit.document(), {}, os.linesep == "\r\n"
    # tomllib is the reader the app uses: what it rejects is not ours to rewrite.
    try:
        before = tomllib.loads(text)
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.TOMLKitError) as e:
        raise ConfigError(f"{path}: is not valid TOML: {e}; not changed (fix the file first)") from None
    crlf = "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return doc, before, crlf


def _set(doc: tomlkit.TOMLDocument, path: Path, key: str, value: Any) -> None:
    """`key` set to `value` in `doc`: in its table, or a new table appended at the end."""
    section, name = key.split(".", 1)
    try:
        if section in doc:
            table = doc[section]
            if not isinstance(table, dict):
                raise ConfigError(
                    f"{path}: '{section}' must be a table ([{section}]), got {table!r}; not changed")
            table[name] = value
        else:
            table = tomlkit.table()
            table[name] = value
            doc.append(section, table)
    except (TypeError, ValueError, tomlkit.exceptions.TOMLKitError) as e:
        if isinstance(e, ConfigError):
            raise
        raise ConfigError(f"{path}: key '{key}' cannot be set to {value!r} ({e}); not changed") from None
