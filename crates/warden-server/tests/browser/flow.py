#!/usr/bin/env python3
"""The server's pages in headless Chromium, as a person uses them: sign in, look at the overview, open the
first finding of the queue, dismiss it as a false positive, see it leave the queue and enter the audit log, and
visit the admin pages. Run by tests/browser.rs (after scripts/browser.sh installed Chromium, ChromeDriver and
Selenium):

    flow.py BASE_URL SCREENSHOT_DIR LABEL

with WARDEN_TEST_USER / WARDEN_TEST_PASSWORD an admin's credentials, and optionally WARDEN_TEST_MARKUP a piece
of HTML that some open finding's message holds, which the queue must show as text. Saves a full-page PNG of each
page visited as SCREENSHOT_DIR/LABEL-<page>.png; exits 1 naming the step that failed. Chromium's console must
stay free of SEVERE entries (a CSP violation, a resource that failed to load).
"""

import base64
import os
import sys
import tempfile
import time
import traceback
from urllib.parse import urlparse

# Selenium Manager never downloads anything: the driver and the browser are Debian's, named below.
os.environ["SE_OFFLINE"] = "true"
os.environ.setdefault("SE_AVOID_STATS", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class StepFailed(Exception):
    pass


def check(cond, message):
    if not cond:
        raise StepFailed(message)


class Flow:
    def __init__(self, base, shots, label):
        self.base = base.rstrip("/")
        self.shots = shots
        self.label = label
        self.saved = []
        self.console = []
        self.step = "start Chromium"
        self.profile = tempfile.TemporaryDirectory(prefix="warden-browser-")
        self.driver_log = os.path.join(self.profile.name, "chromedriver.log")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            # This machine's network is closed: no background fetches, updates, sync or QUIC.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--disable-extensions",
            "--disable-default-apps",
            "--user-data-dir=" + os.path.join(self.profile.name, "profile"),
        ]:
            opts.add_argument(arg)
        opts.add_experimental_option(
            "prefs",
            {
                "credentials_enable_service": False,
                "profile.password_manager_enabled": False,
                "profile.password_manager_leak_detection": False,
            },
        )
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(
            executable_path=CHROMEDRIVER, log_output=self.driver_log, service_args=["--log-level=WARNING"]
        )
        self.driver = webdriver.Chrome(service=service, options=opts)
        self.driver.set_page_load_timeout(30)

    # --- helpers -------------------------------------------------------------------------------------

    def url(self, path):
        return self.base + path

    def path(self):
        u = urlparse(self.driver.current_url)
        return u.path + ("?" + u.query if u.query else "")

    def open(self, path):
        self.driver.get(self.url(path))

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def h1(self):
        found = self.driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text.strip() if found else ""

    def expect_h1(self, want):
        got = self.h1()
        check(got == want, f"expected the heading {want!r}, got {got!r} at {self.path()}: {self.text()[:400]!r}")

    def shot(self, page):
        """A full-page PNG: the page's whole height, not only the 900 px of the window."""
        name = f"{self.label}-{page}.png"
        path = os.path.join(self.shots, name)
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(int(size["width"]), 1280)
        height = max(int(size["height"]), 1)
        png = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))
        self.saved.append(name)

    def drain_console(self, page):
        for e in self.driver.get_log("browser"):
            self.console.append((page, e))

    def visit(self, page, path, heading):
        """Opens a page, checks its heading, saves its picture."""
        self.open(path)
        self.expect_h1(heading)
        self.drain_console(page)
        self.shot(page)

    def wait_path(self, pred, what):
        try:
            WebDriverWait(self.driver, 15).until(lambda d: pred(self.path()))
        except Exception:
            try:
                shown = self.text()[:300]
            except Exception:
                shown = "?"
            raise StepFailed(f"{what}: still at {self.path()}, showing {shown!r}")

    # --- the flow ------------------------------------------------------------------------------------

    def run(self, user, password, markup):
        d = self.driver

        self.step = "open / and get sent to sign in"
        self.open("/")
        self.wait_path(lambda p: p.startswith("/login"), "expected a redirect to /login")
        self.expect_h1("Sign in")
        self.drain_console("login")
        self.shot("login")

        self.step = "sign in"
        d.find_element(By.NAME, "user").send_keys(user)
        d.find_element(By.NAME, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        self.wait_path(lambda p: not p.startswith("/login"), "still on the sign-in page (wrong credentials?)")
        check(self.path() == "/", f"expected to land on / after signing in, got {self.path()}")

        self.step = "overview"
        self.expect_h1("Overview")
        check(d.find_elements(By.CSS_SELECTOR, "svg"), "no <svg> chart on the overview")
        check(user in self.text(), f"the signed-in user {user!r} is not named in the top bar")
        self.drain_console("overview")
        self.shot("overview")

        self.step = "queue"
        d.find_element(By.CSS_SELECTOR, "nav a[href='/queue']").click()
        self.wait_path(lambda p: p.startswith("/queue"), "the Queue link did not open /queue")
        self.expect_h1("Triage queue")
        links = d.find_elements(By.CSS_SELECTOR, "table tbody tr a[href^='/findings/']")
        check(links, "no finding links in the queue")
        if markup:
            check(markup in self.text(), f"the queue does not show {markup!r} as text (escaped)")
            check(
                not d.find_elements(By.CSS_SELECTOR, "table tbody td b"),
                "markup from a finding's message became an element in the queue",
            )
        self.drain_console("queue")
        self.shot("queue")

        self.step = "open the first finding"
        href = urlparse(links[0].get_attribute("href")).path
        links[0].click()
        self.wait_path(lambda p: p == href, f"clicking the first finding did not open {href}")
        check(d.find_elements(By.CSS_SELECTOR, "article.finding"), "no finding card on the finding's page")
        check(d.find_elements(By.CSS_SELECTOR, "form.triage"), "no triage form for an admin")
        self.drain_console("finding")
        self.shot("finding")

        self.step = "dismiss it as a false positive"
        reason = f"browser test ({self.label}): test fixture, not a real key"
        Select(d.find_element(By.NAME, "state")).select_by_value("false-positive")
        d.find_element(By.NAME, "reason").send_keys(reason)
        button = d.find_element(By.XPATH, "//form[@class='triage']//button[normalize-space()='Record decision']")
        old = d.find_element(By.TAG_NAME, "html")
        button.click()
        try:
            WebDriverWait(d, 15).until(lambda _: _stale(old))
        except Exception:
            raise StepFailed("submitting the triage form did not load a new page")
        check(self.path() == href, f"expected to be back on {href} after the decision, got {self.path()}")

        self.step = "the finding after the decision"
        states = [b.text.strip() for b in d.find_elements(By.CSS_SELECTOR, "article.finding .badge.state")]
        check(states == ["false-positive"], f"the finding's state badge shows {states}, not false-positive")
        rows = [r.text for r in d.find_elements(By.XPATH, "//h2[normalize-space()='History']/following::table[1]//tbody/tr")]
        check(
            any(reason in r and "false-positive" in r for r in rows),
            f"no History row with the reason and false-positive: {rows}",
        )
        self.drain_console("finding-after")
        self.shot("finding-after")

        self.step = "the queue without it"
        self.open("/queue")
        self.expect_h1("Triage queue")
        listed = [urlparse(a.get_attribute("href")).path for a in d.find_elements(By.CSS_SELECTOR, "table tbody tr a[href^='/findings/']")]
        check(href not in listed, f"{href} is still listed in the open queue: {listed}")
        self.drain_console("queue-after")
        self.shot("queue-after")

        self.step = "audit log"
        d.find_element(By.CSS_SELECTOR, "nav a[href='/audit']").click()
        self.wait_path(lambda p: p.startswith("/audit"), "the Audit log link did not open /audit")
        self.expect_h1("Audit log")
        ok = d.find_elements(By.CSS_SELECTOR, "p.ok")
        check(ok and "verifies" in ok[0].text, f"the chain does not say it verifies: {self.text()[:400]!r}")
        check(not d.find_elements(By.CSS_SELECTOR, "p.error"), "the audit page shows an error")
        cells = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in d.find_elements(By.CSS_SELECTOR, "table tbody tr")]
        check(
            any("dismiss" in c and reason in c for c in cells),
            f"no `dismiss` entry with the reason {reason!r} in the audit log",
        )
        self.drain_console("audit")
        self.shot("audit")

        self.step = "repositories"
        self.visit("repos", "/repos", "Repositories")
        check(d.find_elements(By.CSS_SELECTOR, "table tbody tr"), "no repositories listed")
        self.step = "tokens"
        self.visit("tokens", "/tokens", "API tokens")
        self.step = "users"
        self.visit("users", "/users", "Users")
        check(user in self.text(), f"{user!r} is not in the users list")

        self.step = "the browser console"
        severe = [(p, e) for p, e in self.console if e.get("level") == "SEVERE" and not _favicon(e)]
        check(
            not severe,
            "SEVERE console entries:\n" + "\n".join(f"  [{p}] {e.get('message')}" for p, e in severe),
        )

    def failed(self):
        """A picture of where it stopped and ChromeDriver's last words, for the report."""
        try:
            self.shot("failed")
        except Exception:
            pass
        try:
            with open(self.driver_log, errors="replace") as f:
                # Without D-Bus on the machine Chromium complains at every start: not the cause.
                lines = [line for line in f if "dbus" not in line.lower()]
            print("chromedriver log (tail):\n" + "".join(lines[-30:]), file=sys.stderr)
        except OSError:
            pass

    def close(self):
        try:
            self.driver.quit()
        finally:
            self.profile.cleanup()


def _favicon(entry):
    """The browser's own request for /favicon.ico, which no page asks for: not the pages' fault, so not
    counted (it is still printed with the console's other entries)."""
    msg = entry.get("message", "")
    return "/favicon.ico " in msg and "404" in msg


def _stale(element):
    try:
        element.tag_name
        return False
    except Exception:
        return True


def main():
    if len(sys.argv) != 4:
        print("usage: flow.py BASE_URL SCREENSHOT_DIR LABEL", file=sys.stderr)
        return 2
    base, shots, label = sys.argv[1:]
    user = os.environ.get("WARDEN_TEST_USER")
    password = os.environ.get("WARDEN_TEST_PASSWORD")
    if not user or not password:
        print("WARDEN_TEST_USER and WARDEN_TEST_PASSWORD must name an admin", file=sys.stderr)
        return 2
    os.makedirs(shots, exist_ok=True)
    stale = os.path.join(shots, f"{label}-failed.png")
    if os.path.exists(stale):
        os.remove(stale)
    started = time.monotonic()
    try:
        flow = Flow(base, shots, label)
    except Exception as e:
        print(f"FAILED at step 'start Chromium': {e}", file=sys.stderr)
        return 1
    try:
        flow.run(user, password, os.environ.get("WARDEN_TEST_MARKUP"))
    except Exception as e:
        detail = str(e) if isinstance(e, StepFailed) else traceback.format_exc()
        try:
            where = flow.path()
        except Exception:
            where = "?"
        print(f"FAILED at step '{flow.step}' ({where}): {detail}", file=sys.stderr)
        flow.failed()
        return 1
    finally:
        for p, e in flow.console:
            print(f"console [{p}] {e.get('level')}: {e.get('message')}")
        print(f"screenshots in {shots}: {' '.join(flow.saved)}")
        flow.close()
    print(f"{label}: browser flow passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
