from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.base import ChangeReasonField
from portal.users import UserSummarySerializer

from .. import permissions
from ..choices import ComplianceStatus, MembershipRole
from ..models import Affiliate, AffiliateReport, Deferment, Membership


class PrivateFieldsMixin:
    """Leaves out the fields listed in `private_fields` for readers without access.

    `can_view_private(user, obj)` decides per object, so a list that mixes one's own
    affiliate with others shows each only what its reader may see.
    """

    private_fields: tuple[str, ...] = ()

    def can_view_private(self, user, obj) -> bool:
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not self.can_view_private(getattr(request, "user", None), instance):
            for name in self.private_fields:
                data.pop(name, None)
        return data


class AffiliateSerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    compliance = serializers.SerializerMethodField(
        help_text="Compliance today (members and staff only)."
    )
    change_reason = ChangeReasonField()

    private_fields = ("compliance", "reporting_since")

    class Meta:
        model = Affiliate
        fields = [
            "id",
            "name",
            "slug",
            "type",
            "country",
            "region",
            "working_languages",
            "fiscal_year_end_month",
            "fiscal_year_end_day",
            "recognition_date",
            "reporting_since",
            "status",
            "public_contact",
            "hide_members",
            "compliance",
            "change_reason",
        ]

    def can_view_private(self, user, obj) -> bool:
        return permissions.can_view_affiliate_private(user, obj)

    @extend_schema_field(serializers.ChoiceField(choices=ComplianceStatus.choices))
    def get_compliance(self, obj) -> str:
        return getattr(obj, "compliance", None) or obj.compliance_as_of()


class MembershipSerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    affiliate = serializers.PrimaryKeyRelatedField(queryset=Affiliate.objects.all())
    change_reason = ChangeReasonField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "affiliate",
            "role",
            "is_board",
            "status",
            "message",
            "requested_at",
            "decided_at",
            "change_reason",
        ]
        read_only_fields = ["role", "is_board", "status", "requested_at", "decided_at"]

    # A join request's message is for the affiliate's admins and the requester.
    private_fields = ("message",)

    def can_view_private(self, user, obj) -> bool:
        return permissions.can_decide_membership(user, obj) or obj.user_id == getattr(
            user, "pk", None
        )


class MembershipDecisionSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    is_board = serializers.BooleanField(default=False)
    change_reason = ChangeReasonField()


class AffiliateReportSerializer(serializers.ModelSerializer):
    change_reason = ChangeReasonField()

    class Meta:
        model = AffiliateReport
        fields = [
            "id",
            "affiliate",
            "fiscal_year",
            "kind",
            "due_date",
            "status",
            "summary",
            "report_url",
            "currency",
            "total_income",
            "total_expenses",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "change_reason",
        ]
        read_only_fields = [
            "affiliate",
            "fiscal_year",
            "kind",
            "due_date",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
        ]


class DefermentSerializer(serializers.ModelSerializer):
    granted_by = UserSummarySerializer(read_only=True)
    change_reason = ChangeReasonField()

    class Meta:
        model = Deferment
        fields = [
            "id",
            "affiliate",
            "cause",
            "explanation",
            "valid_from",
            "until",
            "granted_by",
            "granted_at",
            "change_reason",
        ]
        read_only_fields = ["granted_at"]

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, Deferment):
            # A deferment stays with the affiliate it was granted to.
            fields["affiliate"].read_only = True
        return fields
