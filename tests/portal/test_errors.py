"""Domain errors get the same answer from pages and the API, never a 500."""

import pytest
from django.test import override_settings

from affiliates.models import Affiliate

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.portal.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/invalid/", 400, "Give the proposal a title."),
        ("/conflict/", 409, "is not possible while the proposal is"),
        ("/forbidden/", 403, "Only the applicant can edit this draft."),
    ],
)
def test_a_page_answers_a_domain_error_with_its_status_and_message(
    client, path, status, message
):
    response = client.get(path)
    assert response.status_code == status
    assert message in response.content.decode()
    assert "<html" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.portal.error_urls")
def test_an_htmx_request_gets_only_the_message_to_swap_in(client):
    response = client.get("/forbidden/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only the applicant can edit this draft." in body
    assert "<html" not in body


@override_settings(ROOT_URLCONF="tests.portal.error_urls")
def test_a_page_that_fails_with_a_domain_error_writes_nothing(client, affiliate_a):
    client.get("/invalid/")
    affiliate_a.refresh_from_db()
    assert affiliate_a.name == "Wikimedia Ghana Test"
    assert not Affiliate.objects.filter(name="Changed before the error").exists()
