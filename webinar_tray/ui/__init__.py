"""The tray front end: a pystray icon on the engine host (host/), through `send` and `view` only.

Threads: the icon owns the main thread (macOS requires it). Menu clicks only put a command
(core/commands.py) on a queue. One "tray" worker thread takes commands off that queue
(actions.py: host commands to `host.send`, desktop ones to the desktop adapter), rebuilds the
MenuState from `host.view()` (status.py, core/menu.py) when something changed or half a minute
passed, and hands it to the icon. The engine runs on its own thread (runtime/loop.py), the
browser on another (adapters/browser/joiner.py)."""
