"""Headless Debian chromium for tests of the HTML we produce (quality page, risk report, subject access, dbt docs).

``rendered_dom`` dumps the DOM after the page's scripts ran.  ``render`` drives the
browser over the DevTools protocol (``--remote-debugging-pipe``: no port, no library)
with the network closed: every request the page made is recorded, and every element
holding Chinese text reports the fonts Chromium really drew it with
(``CSS.getPlatformFontsForNode``), so a page whose Chinese would be empty boxes fails.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

# No background connections: this machine's network is closed and Chromium would retry them.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
# Nothing can leave: every proxy connection is refused and every host name resolves to nothing.
OFFLINE = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")


def _chromium() -> str:
    chromium = shutil.which("chromium")
    assert chromium, "Debian chromium is required (make test installs it)"
    return chromium


def rendered_dom(page: Path, profile: Path) -> str:
    """The DOM after the page's scripts ran (``--dump-dom``), in a fresh profile."""
    proc = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                           "--dump-dom", page.as_uri()], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout, proc.stderr[-2000:]
    return proc.stdout


@dataclass
class Rendered:
    dom: str
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    cjk_fonts: list[tuple[str, list[str]]] = field(default_factory=list)  # (Chinese text, font families drawn)

    @property
    def remote_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    def tofu(self, families: tuple[str, ...]) -> list[str]:
        """The Chinese texts drawn with none of ``families`` (empty boxes on a machine without them)."""
        return [text for text, drawn in self.cjk_fonts if not set(drawn) & set(families)]


class _Pipe:
    """The DevTools protocol over Chromium's pipe: JSON messages ended by NUL, fd 3 in, fd 4 out."""

    def __init__(self, args: list[str]):
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        # bash moves our pipe ends to the fds Chromium reads (3) and writes (4) (dash takes one digit only)
        wrapper = ["bash", "-c", f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', "bash"]
        self.proc = subprocess.Popen(wrapper + args, pass_fds=(to_chrome_r, from_chrome_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf, self._id, self.events = b"", 0, []

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self._r], [], [], left)[0], "chromium did not answer in time"
            chunk = os.read(self._r, 1 << 20)
            assert chunk, "chromium closed the DevTools pipe"
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params} | ({"sessionId": session} if session else {})
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._id:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, seen in enumerate(self.events):
            if seen.get("method") == event:
                return self.events.pop(i)
        while True:
            msg = self._next(deadline)
            if msg.get("method") == event:
                return msg
            self.events.append(msg)

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except AssertionError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


# Marks each shown element whose own text holds Chinese.  (document.fonts.check is no help: it
# answers true for a system font that is not installed, since there is nothing to load.)
_PROBE = r"""(async () => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const cjk = /[\u3400-\u9fff]/;
  let n = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter(c => c.nodeType === 3).map(c => c.data).join('');
    if (cjk.test(own) && el.getClientRects().length) el.setAttribute('data-cjk-probe', String(n++));
  }
  return n;
})()"""


def render(page: Path, profile: Path, screenshot: Path | None = None,
           fragment: str = "", settle_ms: int = 0) -> Rendered:
    """Open ``page`` (``#fragment``) offline in a fresh profile: its DOM, its requests, the fonts of its Chinese.

    ``settle_ms`` gives a script-built page (dbt docs) time to draw after the load event."""
    pipe = _Pipe([_chromium(), *FLAGS, *OFFLINE, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                  "--window-size=1280,900", "about:blank"])
    try:
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        s = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Page", "DOM", "CSS", "Runtime"):
            pipe.call(f"{domain}.enable", s)
        pipe.call("Page.navigate", s, url=page.as_uri() + (f"#{fragment}" if fragment else ""))
        pipe.wait_for("Page.loadEventFired")
        if settle_ms:
            pipe.call("Runtime.evaluate", s, expression=f"new Promise(r => setTimeout(r, {settle_ms}))",
                      awaitPromise=True)
        pipe.call("Runtime.evaluate", s, expression=_PROBE, awaitPromise=True, returnByValue=True)
        root = pipe.call("DOM.getDocument", s, depth=-1)["root"]["nodeId"]
        cjk_fonts = []
        for node in pipe.call("DOM.querySelectorAll", s, nodeId=root, selector="[data-cjk-probe]")["nodeIds"]:
            text = pipe.call("DOM.resolveNode", s, nodeId=node)["object"]["objectId"]
            own = pipe.call("Runtime.callFunctionOn", s, objectId=text, returnByValue=True,
                            functionDeclaration="function () { return this.textContent.slice(0, 40); }")
            drawn = pipe.call("CSS.getPlatformFontsForNode", s, nodeId=node)["fonts"]
            cjk_fonts.append((own["result"]["value"], [f["familyName"] for f in drawn]))
        dom = pipe.call("Runtime.evaluate", s, expression="document.documentElement.outerHTML",
                        returnByValue=True)["result"]["value"]
        if screenshot is not None:
            shot = pipe.call("Page.captureScreenshot", s, format="png", captureBeyondViewport=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        requests = [e["params"]["request"]["url"] for e in pipe.events if e.get("method") == "Network.requestWillBeSent"]
    finally:
        pipe.close()
    return Rendered(dom, requests, cjk_fonts)
