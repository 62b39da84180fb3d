"""Headless Chromium presents itself as the ordinary browser: no "HeadlessChrome" in the
User-Agent header, in navigator.userAgent or in a cross-site iframe (an out-of-process frame),
in real Chromium through our `launch()`."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webinar_tray.adapters.browser import launch as launch_mod
from webinar_tray.adapters.browser.discover import BrowserChoice
from webinar_tray.adapters.browser.launch import headless_user_agent, is_edge
from webinar_tray.env import Env

pytestmark = pytest.mark.chromium


def test_headless_user_agent_per_platform_and_edge():
    assert headless_user_agent("156.0.8078.108", platform="linux") == (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Safari/537.36")
    assert "(Windows NT 10.0; Win64; x64)" in headless_user_agent("131.0.1.2", platform="win32")
    assert "(Macintosh; Intel Mac OS X 10_15_7)" in headless_user_agent("131.0.1.2", platform="darwin")
    assert headless_user_agent("131.0.2903.86", edge=True, platform="win32").endswith(
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")
    assert is_edge(BrowserChoice(r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe", None, "Edge"))
    assert is_edge(BrowserChoice(None, "msedge", "Microsoft Edge (Playwright channel)"))
    assert not is_edge(BrowserChoice("/usr/bin/chromium", None, "Chromium"))


class _Pages(BaseHTTPRequestHandler):
    agents: list[str] = []
    other_port = 0

    def do_GET(self):  # noqa: N802
        if self.path in ("/top", "/inner"):  # (not the favicon)
            type(self).agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/top"):
            body = f'<iframe src="http://localhost:{self.other_port}/inner"></iframe>'
        else:
            body = "<p>inner</p>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_headless_launch_hides_headlesschrome_everywhere(chromium, tmp_path):
    from playwright.async_api import async_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    _Pages.agents = []
    _Pages.other_port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    launch_mod._VERSIONS.clear()  # the first launch of a browser learns its version
    choice = BrowserChoice(chromium, None, "Chromium")

    async def visit() -> tuple[list[str], str, list[list[str]]]:
        async with async_playwright() as pw:
            seen = []
            brands: list[list[str]] = []
            for _ in range(2):  # the first launch learns the version; the second uses it at once
                ctx = await launch_mod.launch(pw, choice, tmp_path / "profile", headless=True,
                                              env=Env.real())
                try:
                    page = ctx.pages[0] if ctx.pages else await ctx.new_page()
                    await page.goto(f"http://127.0.0.1:{_Pages.other_port}/top")
                    frame = page.frame_locator("iframe")
                    await frame.locator("p").wait_for()
                    seen += [await f.evaluate("navigator.userAgent") for f in page.frames]
                    # client hints too (127.0.0.1 is a secure context, so they are exposed)
                    brands.append(await page.evaluate(
                        "navigator.userAgentData ? navigator.userAgentData.brands.map(b => b.brand) : []"))
                    version = ctx.browser.version if ctx.browser else ""
                finally:
                    await ctx.close()
            return seen, version, brands

    try:
        agents, version, brands = asyncio.run(visit())
    finally:
        server.shutdown()
        server.server_close()
    major = version.split(".")[0]
    assert len(agents) == 4 and len(_Pages.agents) == 4
    for ua in agents + _Pages.agents:
        assert "Headless" not in ua and f"Chrome/{major}.0.0.0" in ua, ua
    assert launch_mod._VERSIONS == {chromium: version}
    for names in brands:
        assert names and not any("Headless" in n for n in names), names
