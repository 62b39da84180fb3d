# PyInstaller runtime hook, run before every other one (packaging/pyinstaller.spec): keep the
# environment as the user started us, before the GTK/GLib hooks point GTK_PATH, GI_TYPELIB_PATH,
# XDG_DATA_DIRS... at the bundle. webinar_tray.adapters.desktop.sysenv gives system programs this back.
import os
import sys

sys._webinar_tray_environ = dict(os.environ)
