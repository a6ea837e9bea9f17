"""In a real Chromium: the admins, the docs and the story pages work under the CSP.

The Content-Security-Policy forbids inline and evaluated scripts everywhere. These
pages must still run their scripts (date pickers, choosers, the rich-text editor,
Swagger UI) without the browser reporting a single violation.
"""

import datetime

import pytest
from django.contrib.auth.models import Group

from cms import services as story_services
from cms.site import EDITORIAL_BOARD, setup_site
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    StaffFactory,
    with_two_factor,
)

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""
HOSTILE = (
    '<p>Text<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned=2">'
    '<a href="javascript:window.__pwned=3">link</a></p>'
)


@pytest.fixture
def story_and_admin(transactional_db):
    setup_site()
    affiliate = AffiliateFactory()
    author = MembershipFactory(affiliate=affiliate).user
    story = story_services.story_create(
        actor=author,
        affiliate=affiliate,
        locale="en",
        title="Under a strict policy",
        summary="Nothing runs that we did not write.",
        region="lac",
        date=datetime.date(2026, 5, 1),
        original_language="en",
        body=[{"type": "paragraph", "value": HOSTILE}],
    )
    admin = StaffFactory(username="root", is_superuser=True)
    with_two_factor(admin)  # staff reach the admins only with two-factor set up
    admin.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    story.get_latest_revision().publish(user=admin)
    story.refresh_from_db()
    return story, admin


def poll(page, expression, tries=50):
    """page.wait_for_function evaluates a string, which the CSP rightly refuses."""
    for _ in range(tries):
        if page.evaluate(expression):
            return True
        page.wait_for_timeout(100)
    return False


def _session_cookie(client, user, live_server):
    client.force_login(user)
    return {
        "name": "sessionid",
        "value": client.cookies["sessionid"].value,
        "url": live_server.url,
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admins_docs_and_story_pages_run_without_csp_violations(
    live_server, client, story_and_admin, browser
):
    story, admin = story_and_admin
    cookie = _session_cookie(client, admin, live_server)
    story_path, edit_path = story.url, f"/cms-admin/pages/{story.pk}/edit/"
    seen = {}
    errors = []
    # One shared Chromium (tests/browser/conftest.py), with the CSP enforced.
    context = browser.new_context()
    context.add_init_script(WATCH_VIOLATIONS)
    context.add_cookies([cookie])
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Violations of frame-ancestors show in the console, not as events.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("dialog", lambda dialog: errors.append(f"dialog {dialog.message}"))

    def visit(path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__csp")

    visit("/cms-admin/")
    visit(edit_path)
    page.locator("[data-side-panel-toggle='preview']").first.click()
    preview_shows_the_story = poll(
        page,
        "(() => { const f = document.querySelector('iframe.w-preview__iframe');"
        " return !!(f && f.contentDocument && f.contentDocument.querySelector("
        "'article h1')); })()",
    )
    page.locator("[data-side-panel-toggle='preview']").first.click()  # close
    page.locator("#id_hero_image-chooser .unchosen button").click()
    chooser_opens = poll(
        page,
        "Array.from(document.querySelectorAll('.modal'))"
        ".some((e) => getComputedStyle(e).display === 'block')",
    )
    page.keyboard.press("Escape")
    page.focus("#id_date")
    date_picker_opens = poll(
        page,
        "Array.from(document.querySelectorAll('.xdsoft_datetimepicker'))"
        ".some((e) => getComputedStyle(e).display === 'block')",
    )
    editors = page.locator(".public-DraftEditor-content").count()
    seen[edit_path] += page.evaluate("window.__csp")

    visit(story_path)
    story_text = page.locator("article").inner_text()
    pwned = page.evaluate("window.__pwned || null")
    visit("/api/v1/docs/")
    # Swagger UI renders the sections in view: the first ones are enough.
    docs_render = poll(page, "document.querySelectorAll('.opblock-tag').length > 1")
    seen["/api/v1/docs/"] += page.evaluate("window.__csp")
    visit("/admin/")
    visit("/admin/grants/proposal/")
    context.close()

    assert {path: v for path, v in seen.items() if v} == {}
    assert errors == []
    assert date_picker_opens and chooser_opens
    assert editors >= 1
    assert preview_shows_the_story
    assert "Text" in story_text and "link" in story_text
    assert pwned is None
    assert docs_render
