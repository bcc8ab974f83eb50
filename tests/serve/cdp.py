"""A minimal DevTools protocol client for headless Chromium over --remote-debugging-pipe (the
browser reads commands on fd 3 and writes answers on fd 4, each a JSON text ending in a NUL byte):
no WebSocket library needed.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

from serve_lib import DEADLINE, Failure, log_tail, wait_for


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise Failure("chromium not found: install the Debian package chromium (scripts/lib.sh "
                  "lists it), or set CHROMIUM to a Chromium binary")


class Browser:
    def __init__(self, width=1280, height=900):
        exe = find_chromium()
        self.profile = tempfile.mkdtemp(prefix="statelog-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
             "--user-data-dir=" + self.profile, "--window-size=%d,%d" % (width, height),
             "about:blank"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=open(self._log_path(), "wb"))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=True)

    def _log_path(self):
        return os.path.join(self.profile, "chromium.log")

    def _read_message(self):
        end = time.monotonic() + DEADLINE
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_chrome], [], [], max(0, end - time.monotonic()))
            if not ready:
                raise Failure("chromium answered nothing within %d s%s"
                              % (DEADLINE, log_tail(self._log_path())))
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise Failure("chromium closed the DevTools pipe" + log_tail(self._log_path()))
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(text)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise Failure("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def navigate(self, url):
        self.call("Page.navigate", {"url": url}, session=True)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True}, session=True)
        if "exceptionDetails" in r:
            raise Failure("page script failed: %s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, what, expression):
        """Evaluates `expression` until it is true (an exception, e.g. while the page loads,
        counts as false)."""
        guarded = "(() => { try { return (%s); } catch (e) { return false; } })()" % expression
        return wait_for(what, lambda: self.eval(guarded))

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console_errors(self):
        return [e for e in self.events if e.get("method") == "Runtime.exceptionThrown"]

    def close(self):
        try:
            self.call("Browser.close")
        except Failure:
            pass
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)
