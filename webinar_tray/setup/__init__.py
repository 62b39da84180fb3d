"""The local setup page (`webinar-tray setup`, the tray's Set up…): server.py guards it, app.py
routes it, pages.py draws it, actions.py carries out its forms through backend.py."""
