"""The tray icon (pystray): which backend, how a MenuState is rendered, the icon's life."""
