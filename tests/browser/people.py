"""People for browser tests: accounts with a verified e-mail address, so that they
can sign in at once."""

from allauth.account.models import EmailAddress

from tests.factories import UserFactory


def person(username="mara", factory=UserFactory, **kwargs):
    user = factory(username=username, email=f"{username}@example.org", **kwargs)
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user
