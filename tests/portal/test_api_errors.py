"""API errors say what happened in the reader's language, and no more than that."""

import pytest
from rest_framework.test import APIClient

from tests.factories import ProposalFactory


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Not found."), ("es", "No encontrado."), ("fr", "Non trouvé.")],
)
def test_404_is_generic_and_translated(api, member_a, affiliate_b, language, message):
    hidden = ProposalFactory(affiliate=affiliate_b)
    client = api(member_a)
    for path in (f"/api/v1/proposals/{hidden.pk}/", "/api/v1/proposals/999999/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        assert response.json() == {"detail": message}


def test_a_bad_token_is_a_401_with_a_challenge(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/proposals/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_no_credentials_is_a_401_with_a_challenge(db):
    response = APIClient().get("/api/v1/my-stories/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_session_still_signs_in_to_the_api(client, member_a):
    client.force_login(member_a)
    assert client.get("/api/v1/proposals/").status_code == 200
