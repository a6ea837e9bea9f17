"""Deferment requests: admins ask, staff grant (recording the deferment) or refuse."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from affiliates import services
from affiliates.choices import (
    ComplianceStatus,
    DefermentCause,
    DefermentRequestStatus,
)
from affiliates.models import Deferment, DefermentRequest
from portal.exceptions import TransitionNotAllowed
from tests.factories import AffiliateReportFactory

pytestmark = pytest.mark.django_db


def soon(days=120):
    return timezone.localdate() + datetime.timedelta(days=days)


def ask(actor, affiliate, **extra):
    return services.deferment_request(
        actor=actor,
        affiliate=affiliate,
        cause=extra.get("cause", DefermentCause.DISASTER),
        until=extra.get("until", soon()),
        explanation=extra.get("explanation", "Floods closed our office."),
    )


def test_admins_ask_members_and_outsiders_may_not(
    affiliate_a, admin_a, member_a, admin_b
):
    for user in (member_a, admin_b):
        with pytest.raises(PermissionDenied):
            ask(user, affiliate_a)
    request = ask(admin_a, affiliate_a)
    assert request.status == DefermentRequestStatus.REQUESTED
    assert request.history.first().history_user == admin_a


def test_one_waiting_request_at_a_time_and_at_most_a_year(affiliate_a, admin_a):
    with pytest.raises(ValidationError) as error:
        ask(admin_a, affiliate_a, until=soon(400))
    assert "until" in error.value.message_dict
    with pytest.raises(ValidationError):
        ask(admin_a, affiliate_a, until=timezone.localdate())
    ask(admin_a, affiliate_a)
    with pytest.raises(ValidationError):
        ask(admin_a, affiliate_a)


def test_staff_grant_records_a_deferment_and_the_affiliate_is_deferred(
    affiliate_a, admin_a, staff
):
    AffiliateReportFactory(
        affiliate=affiliate_a, fiscal_year=2024, due_date=datetime.date(2025, 4, 30)
    )
    assert affiliate_a.compliance_as_of() == ComplianceStatus.PAST_DUE
    request = ask(admin_a, affiliate_a)
    with pytest.raises(PermissionDenied):
        services.deferment_request_grant(actor=admin_a, request=request)
    request = services.deferment_request_grant(
        actor=staff, request=request, reason="Granted."
    )
    assert request.status == DefermentRequestStatus.GRANTED
    assert request.decided_by == staff
    deferment = Deferment.objects.get()
    assert request.deferment == deferment
    assert deferment.until == request.until
    assert deferment.history.first().history_user == staff
    assert affiliate_a.compliance_as_of() == ComplianceStatus.DEFERRED
    with pytest.raises(TransitionNotAllowed):
        services.deferment_request_refuse(actor=staff, request=request, reason="x")


def test_staff_refuse_with_a_reason(affiliate_a, admin_a, staff):
    request = ask(admin_a, affiliate_a)
    with pytest.raises(ValidationError):
        services.deferment_request_refuse(actor=staff, request=request, reason=" ")
    request = services.deferment_request_refuse(
        actor=staff, request=request, reason="Reports can be sent online."
    )
    assert request.status == DefermentRequestStatus.REFUSED
    assert request.decision_reason == "Reports can be sent online."
    assert not Deferment.objects.exists()
    ask(admin_a, affiliate_a)  # a new request is possible after a decision


def page(affiliate):
    return reverse("affiliates:deferment_request", args=[affiliate.slug])


def form_data(**extra):
    return {
        "cause": DefermentCause.WAR,
        "until": soon().isoformat(),
        "explanation": "The office is closed.",
        **extra,
    }


def test_admin_asks_on_the_page(client, affiliate_a, admin_a):
    client.force_login(admin_a)
    html = client.get(page(affiliate_a)).content.decode()
    assert "data-confirm" in html and 'name="cause"' in html
    response = client.post(page(affiliate_a), form_data())
    assert response.status_code == 302
    request = DefermentRequest.objects.get()
    assert request.cause == DefermentCause.WAR and request.requested_by == admin_a
    html = client.get(reverse("affiliates:dashboard", args=[affiliate_a.slug]))
    assert 'data-status="requested"' in html.content.decode()


def test_bad_input_keeps_it_and_explains(client, affiliate_a, admin_a):
    client.force_login(admin_a)
    response = client.post(
        page(affiliate_a),
        form_data(until=soon(500).isoformat(), explanation="Typed by me"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most one year" in html and "Typed by me" in html
    assert 'id="id_until_error"' in html
    assert not DefermentRequest.objects.exists()


def test_members_see_requests_without_the_form_and_get_403(
    client, affiliate_a, admin_a, member_a, staff
):
    request = ask(admin_a, affiliate_a)
    services.deferment_request_refuse(actor=staff, request=request, reason="No.")
    client.force_login(member_a)
    html = client.get(page(affiliate_a)).content.decode()
    assert 'data-status="refused"' in html and "No." in html
    assert 'name="cause"' not in html
    assert client.post(page(affiliate_a), form_data()).status_code == 403
    assert DefermentRequest.objects.count() == 1


def test_non_members_get_404(client, affiliate_a, member_b, outsider):
    for user in (member_b, outsider):
        client.force_login(user)
        assert client.get(page(affiliate_a)).status_code == 404
        assert client.post(page(affiliate_a), form_data()).status_code == 404


def test_staff_decide_in_the_admin_through_the_services(
    client, affiliate_a, admin_a, staff
):
    staff.is_superuser = True
    staff.save()
    from tests.factories import with_two_factor

    with_two_factor(staff)
    first = ask(admin_a, affiliate_a)
    client.force_login(staff)
    changelist = reverse("admin:affiliates_defermentrequest_changelist")
    response = client.post(
        changelist, {"action": "refuse", "_selected_action": [first.pk]}
    )
    assert response.status_code == 200, response
    assert "decision_reason" in response.content.decode()
    client.post(
        changelist,
        {
            "action": "refuse",
            "_selected_action": [first.pk],
            "apply": "1",
            "decision_reason": "Send what you have.",
        },
    )
    first.refresh_from_db()
    assert first.status == DefermentRequestStatus.REFUSED
    second = ask(admin_a, affiliate_a)
    client.post(changelist, {"action": "grant", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.status == DefermentRequestStatus.GRANTED
    assert second.deferment is not None


def test_request_list_queries_do_not_grow(client, affiliate_a, admin_a, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count):
        for _n in range(count):
            request = ask(admin_a, affiliate_a)
            services.deferment_request_refuse(
                actor=staff, request=request, reason="No."
            )

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(page(affiliate_a)).status_code == 200
        return len(context.captured_queries)

    client.force_login(admin_a)
    add(2)
    small = queries()
    add(8)
    assert queries() == small
