"""Drive an open GTK menu like a user does, finding items through the accessibility tree (AT-SPI)
and clicking them with xdotool: `python atspi_menu.py APP PREFIX [PREFIX ...]` hovers over each
item whose name starts with a PREFIX ("*TEXT": contains TEXT; "re:EXPR": matches EXPR) (opening its submenu) and clicks
the last one. Prints the
menu tree and exits 1 when an item is not found. Run in a subprocess with the desktop's DISPLAY
and DBUS_SESSION_BUS_ADDRESS (AT-SPI binds to the session bus once per process)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

ITEM_ROLES = ("menu item", "check menu item", "menu", "radio menu item")


def apps(name: str):
    desk = Atspi.get_desktop(0)
    for i in range(desk.get_child_count()):
        app = desk.get_child_at_index(i)
        if app is not None and (app.get_name() or "") == name:
            yield app


def items(node, depth: int = 0):
    for i in range(node.get_child_count()):
        child = node.get_child_at_index(i)
        if child is None:
            continue
        yield child, depth
        yield from items(child, depth + 1)


def extents(node):
    e = node.get_extents(Atspi.CoordType.SCREEN)
    if e.x < -10000 or e.width <= 1:  # not on screen (a closed submenu)
        return None
    return e


def find(app_name: str, prefix: str):
    for app in apps(app_name):
        for node, _ in items(app):
            name = node.get_name() or ""
            if prefix.startswith("re:"):
                hit = re.search(prefix[3:], name) is not None
            else:
                hit = prefix[1:] in name if prefix.startswith("*") else name.startswith(prefix)
            if node.get_role_name() in ITEM_ROLES and hit:
                e = extents(node)
                if e is not None:
                    return node, e
    return None, None


def tree(app_name: str) -> str:
    lines = []
    for app in apps(app_name):
        for node, depth in items(app):
            e = extents(node)
            where = f" @{e.x},{e.y}" if e else ""
            lines.append(f"{'  ' * depth}{node.get_role_name()}: {node.get_name()!r}{where}")
    if lines:
        return "\n".join(lines)
    desk = Atspi.get_desktop(0)
    names = [desk.get_child_at_index(i).get_name() for i in range(desk.get_child_count())]
    return f"(no application named {app_name!r} on the accessibility bus; there are {names})"


def main(argv: list[str]) -> int:
    click = "--no-click" not in argv  # --no-click: hover along the path only (for a screenshot)
    argv = [a for a in argv if a != "--no-click"]
    app_name, path = argv[0], argv[1:]
    Atspi.init()
    for n, prefix in enumerate(path):
        last = n == len(path) - 1 and click
        deadline = time.monotonic() + 10
        node = e = None
        while time.monotonic() < deadline:
            node, e = find(app_name, prefix)
            if node is not None:
                break
            time.sleep(0.2)
        if node is None:
            print(f"not found: {prefix!r}\n{tree(app_name)}")
            return 1
        x, y = e.x + min(e.width // 3, 150), e.y + e.height // 2
        subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True)
        if last:
            name = node.get_name()  # (the menu may be rebuilt, and the item gone, after the click)
            time.sleep(0.3)
            subprocess.run(["xdotool", "click", "1"], check=True)
            print(f"clicked {name!r} at {x},{y}")
        else:
            time.sleep(0.5)  # GTK opens a submenu after a short hover
            print(f"over {node.get_name()!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
