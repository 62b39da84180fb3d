"""Requests from other launches on this machine (token-checked by runtime/channel_server.py),
turned into the host's commands; a reply is a JSON object with `ok`."""

from __future__ import annotations

from webinar_tray.core import commands as c


class ChannelHandler:
    """handler(request dict) -> reply dict, for ChannelServer."""

    def __init__(self, host):
        self.host = host

    def __call__(self, req: dict) -> dict:
        from webinar_tray.host.coordinator import HostError

        cmd = req.get("cmd")
        if cmd == "ping":
            return {"ok": True}
        if cmd == "status":  # `browser` asks whether the profile is in use
            return {"ok": True, "attending": list(self.host.view().active)}
        try:
            command = self.command(req)
        except ValueError as e:
            return {"ok": False, "error": str(e)}
        try:
            result = self.host.send(command)
        except (HostError, ValueError) as e:
            return {"ok": False, "error": str(e)}
        if isinstance(command, c.JoinUrl):
            return {"ok": True, "id": result.id, "title": result.title}
        if isinstance(command, c.OpenSetup):  # `webinar-tray setup`: it opens the address itself
            return {"ok": True, "url": result}
        return {"ok": True}

    @staticmethod
    def command(req: dict) -> c.HostCommand:
        cmd = req.get("cmd")
        if cmd == "join":
            url = req.get("url")
            if not isinstance(url, str):
                raise ValueError("join needs a url")
            return c.JoinUrl(url, req.get("minutes", 60))
        if cmd == "show":  # a second launch of a front end
            return c.Show()
        if cmd == "refresh":
            return c.Refresh()
        if cmd == "setup":
            return c.OpenSetup()
        raise ValueError(f"unknown command {cmd!r}")
