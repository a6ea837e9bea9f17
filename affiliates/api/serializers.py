from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.base import ChangeReasonField, ReaderFieldsMixin
from portal.users import UserSummarySerializer

from .. import readers
from ..choices import ComplianceStatus, MembershipRole
from ..models import Affiliate, AffiliateReport, Deferment, Membership


class AffiliateSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    compliance = serializers.SerializerMethodField(
        help_text="Compliance today (members and staff only)."
    )
    change_reason = ChangeReasonField()

    omittable_fields = readers.AFFILIATE_PRIVATE_FIELDS

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

    def omitted_fields(self, user, affiliate):
        return readers.affiliate_omitted_fields(user, affiliate)

    @extend_schema_field(serializers.ChoiceField(choices=ComplianceStatus.choices))
    def get_compliance(self, obj) -> str:
        return getattr(obj, "compliance", None) or obj.compliance_as_of()


class MembershipSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    legal_name = serializers.CharField(
        source="user.get_full_name",
        read_only=True,
        help_text="Staff and the affiliate's admins only.",
    )
    email = serializers.EmailField(
        source="user.email",
        read_only=True,
        help_text="Staff and the affiliate's admins only.",
    )
    affiliate = serializers.PrimaryKeyRelatedField(queryset=Affiliate.objects.all())
    change_reason = ChangeReasonField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "legal_name",
            "email",
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

    omittable_fields = readers.MEMBERSHIP_OMITTABLE_FIELDS

    def omitted_fields(self, user, membership):
        return readers.membership_omitted_fields(user, membership)


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
