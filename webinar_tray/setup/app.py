"""The setup page's routes: GET shows (the page, its style and script, the rules' preview, the
test run's state), POST changes (setup/actions.py) and comes back to its section with a message
(post/redirect/get, so a reload never posts twice). The server (server.py) has already checked
the Host header, the session cookie and, for a POST, the CSRF token."""

from __future__ import annotations

import json
import logging

from webinar_tray.core.settings import ConfigError, Settings
from webinar_tray.setup import actions, google, pages
from webinar_tray.setup.preview import lines, preview, with_rules
from webinar_tray.setup.server import Response, Session, SetupServer

log = logging.getLogger(__name__)


class SetupApp:
    def __init__(self, backend):
        self.backend = backend

    def get(self, path: str, query: dict, session: Session) -> Response:
        if path == "/":
            return Response(body=self.page(session).encode())
        if path == "/style.css":
            return Response(body=pages.CSS.encode(), content_type="text/css; charset=utf-8")
        if path == "/app.js":
            return Response(body=(pages.JS + google.JS).encode(), content_type="text/javascript; charset=utf-8")
        if path == "/preview":
            settings, _ = self._settings()
            rules = with_rules(settings, lines(query.get("keywords", "")), lines(query.get("locations", "")),
                               lines(query.get("organizers", "")))
            rows, hidden, errors = self._preview(rules)
            return Response(body=pages.preview_html(rows, hidden, errors).encode())
        if path == "/google/state":
            return Response(body=json.dumps(self.backend.google.state.as_dict()).encode(),
                            content_type="application/json")
        if path == "/test-run":
            return Response(body=json.dumps(self.backend.test_run.state.as_dict()).encode(),
                            content_type="application/json")
        return Response.text(404, "webinar-tray: no such page")

    def post(self, path: str, form: dict, session: Session) -> Response:
        try:
            result = actions.carry_out(path, self.backend, form)
        except Exception as e:  # noqa: BLE001 - e.g. the host is stopping (HostError)
            log.warning("setup page: %s failed: %s", path, type(e).__name__)
            result = (actions.section_of(path), False, f"failed: {e}", [])
        if result is None:
            return Response.text(404, "webinar-tray: no such form")
        section, ok, message, details = result
        session.flash = {section: (ok, message, details)}
        return Response.redirect(f"/#{section}")

    # ---- the page ---------------------------------------------------------------------------
    def _settings(self) -> tuple[Settings, str | None]:
        try:
            return self.backend.settings(), None
        except ConfigError as e:
            return Settings(), str(e)

    def _preview(self, settings: Settings):
        events, errors = self.backend.events(settings)
        rows, hidden = preview(events, settings, self.backend.now())
        return rows, hidden, errors

    def page(self, session: Session) -> str:
        from webinar_tray.compose import ics_source

        s, config_error = self._settings()
        flash, session.flash = session.flash, {}
        ics = []
        for i, address in enumerate(s.ics.urls):
            try:
                ics.append((i, ics_source(address, self.backend.paths.config_dir).name))
            except Exception:  # noqa: BLE001 - a bad entry is still listed (to remove it)
                ics.append((i, f"ICS address #{i + 1} (not usable)"))
        rows, hidden, errors = self._preview(s)
        autostart = None
        if self.backend.autostart is not None:
            try:
                autostart = self.backend.autostart.status().enabled
            except Exception:  # noqa: BLE001 - not available here
                autostart = None
        data = pages.PageData(
            csrf=session.csrf, flash=flash, ics=ics,
            keywords="\n".join(s.match.keywords), locations="\n".join(s.match.locations),
            organizers="\n".join(s.match.organizers), preview=rows, hidden=hidden, preview_errors=errors,
            name=s.join.name, email=s.join.email, headless=s.join.headless,
            notifications=s.notifications.enabled, autostart=autostart, wake=s.wake.enabled,
            test_run=self.backend.test_run.state.as_dict(), config_file=str(self.backend.paths.config_file),
            config_error=config_error, google=google.html(google.view(self.backend, s), session.csrf))
        return pages.page(data)


def serve(backend) -> SetupServer:
    """A started server for this backend."""
    server = SetupServer(SetupApp(backend))
    server.start()
    return server
