"""The tray app: the engine (host.py) with a pystray icon as its front end.

Threads: the icon owns the main thread (macOS requires it). Menu clicks only put a command on
a queue. One "tray" worker thread takes commands off that queue (actions.py), rebuilds the
MenuState from the engine's status (status.py, core/menu.py) when something changed or a
minute passed, and hands it to the icon. The engine runs on its own thread (runtime/loop.py),
the browser on another (adapters/browser/joiner.py)."""
