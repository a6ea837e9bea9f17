"""The account foundation in a real browser, at phone and desktop size."""

import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from grants.models import Committee, CommitteeMember
from tests.browser.conftest import fresh_totp, sign_in, sign_out, switch_language
from tests.browser.people import person


def test_sign_up_verify_email_and_sign_in(phone_page, shot, mailoutbox):
    page = phone_page
    page.goto("/accounts/signup/")
    shot(page, "signup")
    page.locator("input[name=email]").fill("newcomer@example.org")
    page.locator("input[name=username]").fill("newcomer")
    page.locator("input[name=password1]").fill("a-long-enough-passphrase")
    page.locator("input[name=password2]").fill("a-long-enough-passphrase")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    shot(page, "verification-sent")
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body)
    page.goto(link.group(0))
    shot(page, "confirm-email")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/home/$"))
    assert page.locator("h1").inner_text() == "What needs you now"
    assert EmailAddress.objects.get(email="newcomer@example.org").verified


def test_sign_in_switch_to_arabic_and_see_right_to_left(page, shot):
    person()
    sign_in(page, "mara")
    assert page.url.endswith("/home/")
    switch_language(page, "ar")
    assert page.url.endswith("/ar/home/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The account menu sits at the inline end, which is the left in Arabic.
    menu = page.locator(".account-menu summary").bounding_box()
    name = page.locator(".site-header__name").bounding_box()
    assert menu["x"] < name["x"] or page.portal_size == "phone"
    shot(page, "account")
    assert get_user_model().objects.get(username="mara").profile.language == "ar"
    # Signed out and back in: the saved language wins over the English browser.
    sign_out(page)
    sign_in(page, "mara")
    assert "/ar/" in page.url


def test_committee_member_must_set_up_two_factor_then_uses_it(desktop_page, shot):
    page = desktop_page
    member = person("seat")
    committee = Committee.objects.create(name="Rapid Fund committee", quorum=1)
    CommitteeMember.objects.create(committee=committee, user=member)
    sign_in(page, "seat")
    assert "/accounts/2fa/totp/activate/" in page.url, page.url
    page.goto("/accounts/tokens/")  # any other page sends them back
    assert "/accounts/2fa/totp/activate/?next=" in page.url, page.url
    shot(page, "totp-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(fresh_totp(secret))
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/recovery-codes/"))
    shot(page, "recovery-codes")
    page.goto("/accounts/tokens/")
    assert page.locator("h1").inner_text() == "API tokens"
    sign_out(page)
    sign_in(page, "seat", totp_secret=secret)
    assert page.url.endswith("/home/")


def test_create_use_and_revoke_an_api_token(page, shot, live_server):
    import json
    import urllib.request

    person()
    sign_in(page, "mara")
    page.goto("/accounts/tokens/")
    page.locator("input[name=name]").fill("Report script")
    page.get_by_role("button", name="Create token").click()
    key_input = page.locator("[data-token-key]")
    key_input.wait_for()
    key = key_input.input_value()
    assert key.startswith("gp_")
    assert "/accounts/tokens/" in page.url  # htmx swapped the panel in place
    shot(page, "token-created")

    def api_status(key):
        request = urllib.request.Request(  # noqa: S310 (the live server)
            f"{live_server.url}/api/v1/memberships/",
            headers={"Authorization": f"Token {key}", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310
                json.load(response)
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert api_status(key) == 200
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    shot(page, "revoke-confirm")
    dialog.get_by_role("button", name="Yes, continue").click()
    page.get_by_text("You have no API tokens.").wait_for()
    assert "is revoked" in page.locator(".tokens-panel .messages").inner_text()
    assert api_status(key) in {401, 403}
