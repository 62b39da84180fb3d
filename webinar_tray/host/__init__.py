"""The engine host: one coordinator of the running engine (`send` commands, read `view()`)."""

from webinar_tray.host.coordinator import AlreadyRunning, EngineHost, HostError
from webinar_tray.host.view import EngineView

__all__ = ["AlreadyRunning", "EngineHost", "EngineView", "HostError"]
