"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Fixtures (see docs/components.md, "Browser tests"):
- `browser`: one headless Chromium per test session (/usr/bin/chromium).
- `page`: a fresh browser context and page per test, at phone (360×740) and desktop
  (1280×800) size: tests using it run once per size (`size` says which).
- `phone_page`, `desktop_page`: one size only, for flows that need not run at both.
- `shot(page, name)`: full-page screenshot into
  artifacts/screenshots/<test>/<name>-<lang>-<size>.png (git-ignored).
- `axe(page)`: runs axe-core on the page; fails on serious or critical violations.
- `sign_in(page, username, password, totp_secret=None)`, `sign_out(page)`,
  `switch_language(page, code)`, `url(path)`.

They wait on elements and URLs, never on timers. The live server runs in this process,
so Django's locmem outbox (`mailoutbox`) holds the e-mails it sends.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in this thread; the tests still talk to the
# database synchronously, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "pass-for-tests"


# Modules whose every page runs in both languages and at both sizes, but not every
# pairing of the two: English on a desktop and Arabic on a phone (right to left in
# the narrowest layout) show what the other two pairings would, in half the time.
# `PORTAL_BROWSER_FULL_MATRIX=1` runs all four.
PAIRED_MODULES = {
    "test_reviewer_pages.py",
    "test_committee_pages.py",
    "test_staff_pages.py",
    "test_compliance_and_report_review.py",
    "test_notifications.py",
}
PAIRINGS = {("en", "desktop"), ("ar", "phone")}


def _paired_out(item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or os.environ.get("PORTAL_BROWSER_FULL_MATRIX"):
        return False
    if Path(str(item.fspath)).name not in PAIRED_MODULES:
        return False
    lang, size = callspec.params.get("lang"), callspec.params.get("size")
    return bool(lang and size) and (lang, size) not in PAIRINGS


def pytest_collection_modifyitems(config, items):
    kept, left = [], []
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            if _paired_out(item):
                left.append(item)
                continue
            item.add_marker(pytest.mark.browser)
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True)
            )
        kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test` as root, or "
            "`sudo apt-get install -y chromium`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits and used TOTP codes live in the cache: start clean."""
    cache.clear()
    yield
    cache.clear()


def _new_page(browser, size: str, live_server):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        locale="en-GB",
        # Tests inject axe-core; the site's own Content-Security-Policy would refuse it.
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.portal_size = size
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.portal_js_errors = errors
    return context, page


@pytest.fixture(params=list(SIZES))
def size(request):
    return request.param


@pytest.fixture
def page(browser, live_server, size):
    context, page = _new_page(browser, size, live_server)
    yield page
    context.close()
    assert not page.portal_js_errors, page.portal_js_errors


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _new_page(browser, "phone", live_server)
    yield page
    context.close()
    assert not page.portal_js_errors, page.portal_js_errors


@pytest.fixture
def desktop_page(browser, live_server):
    context, page = _new_page(browser, "desktop", live_server)
    yield page
    context.close()
    assert not page.portal_js_errors, page.portal_js_errors


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def shot(request):
    """`shot(page, "name")` saves a full-page screenshot of what the page shows now."""
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = SCREENSHOTS / test_name

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        lang = page.evaluate("document.documentElement.lang") or "xx"
        path = folder / f"{name}-{lang}-{getattr(page, 'portal_size', 'page')}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
            }));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe():
    def check(page):
        violations = run_axe(page)
        assert not violations, f"{page.url}: {violations}"

    return check


def fresh_totp(secret: str) -> str:
    """The current code, from a step with time left: a code read in the last
    seconds of its 30-second step can reach the server in the next one (a busy
    machine) and be refused, as it would be for a person."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 8:
        time.sleep(left + 0.5)
    return totp.now()


def sign_in(page, username: str, password: str = PASSWORD, totp_secret=None):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form.form button[type=submit]").first.click()
    if totp_secret:
        page.wait_for_url(re.compile(r"/2fa/authenticate/"))
        # allauth refuses a code already used (replay protection, kept in the
        # cache): a second sign-in by the same person within one 30-second step,
        # as in the review cycle, would fail. Forget the codes used so far.
        cache.clear()
        page.locator("input[name=code]").fill(fresh_totp(totp_secret))
        page.locator("form.form button[type=submit]").first.click()
    page.wait_for_url(
        lambda u: "/accounts/login/" not in u and "/authenticate/" not in u
    )


def start(page, username: str, lang: str, path: str, totp_secret=None):
    """Sign in, open `path` in English, pick the language there and open `path` in
    it (browser tests never start at "/")."""
    sign_in(page, username, totp_secret=totp_secret)
    page.goto(path)
    if lang != "en":
        switch_language(page, lang)
        page.goto(f"/{lang}{path}")


def press(locator):
    """Pressed from the keyboard: a click right after a full-page screenshot can
    miss its target in headless Chromium."""
    locator.press("Enter")


def sign_out(page):
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name=re.compile("Sign out|تسجيل الخروج")).click()
    page.wait_for_url(re.compile(r"/(ar/)?$|/[a-z-]+/$"))


def switch_language(page, code: str):
    """Pick a language in the header's picker (works at every size, no JavaScript)."""
    page.locator("#language-picker-select").select_option(code)
    page.locator(".language-picker button[type=submit]").click()
    page.wait_for_function("code => document.documentElement.lang === code", arg=code)
