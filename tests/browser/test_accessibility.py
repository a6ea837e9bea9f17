"""Every page of the account foundation passes axe-core (no serious or critical
violations) in English and Arabic, at phone and desktop size; screenshots of each."""

import pytest
from allauth.account.models import EmailAddress

from tests.browser.conftest import sign_in
from tests.factories import UserFactory

PUBLIC = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
SIGNED_IN = [
    "/accounts/",
    "/accounts/tokens/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_account_pages_pass_axe(page, axe, shot, language):
    prefix = "" if language == "en" else f"/{language}"
    for path in PUBLIC:
        page.goto(prefix + path)
        assert page.locator("html").get_attribute("lang") == language
        axe(page)
        shot(page, path.strip("/").replace("/", "_"))
    user = UserFactory(username="mara", email="mara@example.org")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    sign_in(page, "mara")
    for path in SIGNED_IN:
        page.goto(prefix + path)
        assert page.locator("html").get_attribute("lang") == language
        axe(page)
        shot(page, path.strip("/").replace("/", "_") or "account")
    # A form with errors: the summary takes focus and links to the field.
    page.goto(prefix + "/accounts/tokens/")
    page.locator("form[hx-post$='/tokens/'] button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    axe(page)
    shot(page, "tokens-error")
