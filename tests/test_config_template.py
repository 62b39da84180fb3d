"""The commented config.toml template: it parses to the defaults, names every key, and
uncommenting it as a whole still gives the defaults (so its values are true)."""

import re
import tomllib
from dataclasses import fields

from webinar_tray.config.template import TEMPLATE, ensure_config
from webinar_tray.core.settings import Settings, parse_settings


def test_template_parses_to_the_defaults_and_names_every_key():
    assert parse_settings(tomllib.loads(TEMPLATE), "config.toml")[0] == Settings()
    uncommented = re.sub(r"^# ", "", TEMPLATE, flags=re.M)
    uncommented = "\n".join(l for l in uncommented.splitlines() if not l.startswith("webinar-tray")
                            and not l.startswith("Saved changes") and not l.startswith("#"))
    data = tomllib.loads(uncommented)
    settings, warnings = parse_settings(data, "config.toml")
    assert warnings == [] and settings == Settings()
    for section in fields(Settings):
        assert section.name in data
        for key in fields(getattr(Settings(), section.name)):
            assert key.name in data[section.name], f"[{section.name}] {key.name} missing from the template"


def test_ensure_config_creates_once_and_never_overwrites(tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    assert ensure_config(path) == path and path.read_text() == TEMPLATE
    assert (path.stat().st_mode & 0o777) == 0o600
    path.write_text("[join]\nheadless = true\n")
    ensure_config(path)
    assert path.read_text() == "[join]\nheadless = true\n"
