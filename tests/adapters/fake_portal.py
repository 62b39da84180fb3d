"""A stand-in for xdg-desktop-portal's Notification interface on a private session bus (a test
tool, run as a process): owns org.freedesktop.portal.Desktop, records every AddNotification call
(id and the unpacked a{sv}) as one JSON line in the file given, prints "ready" once it owns the name.
Built with GLib's own D-Bus (Gio), so `gdbus call` introspects and type-checks against it as it
does against the real portal."""

from __future__ import annotations

import json
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name="org.freedesktop.portal.Notification">
<method name="AddNotification"><arg type="s" name="id" direction="in"/>
<arg type="a{sv}" name="notification" direction="in"/></method>
</interface></node>"""


def main(out: str) -> None:
    node = Gio.DBusNodeInfo.new_for_xml(XML)

    def on_call(conn, sender, path, iface, method, params, invocation):
        nid, notification = params.unpack()
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": nid, **notification}) + "\n")
        invocation.return_value(None)

    def on_bus(conn, name):
        conn.register_object("/org/freedesktop/portal/desktop", node.interfaces[0], on_call, None, None)

    def on_name(conn, name):
        print("ready", flush=True)

    Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.portal.Desktop", Gio.BusNameOwnerFlags.NONE,
                     on_bus, on_name, None)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main(sys.argv[1])
