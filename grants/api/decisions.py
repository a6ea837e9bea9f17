"""API shapes for what a committee reads together (ranking, recusal record) and for
the decision with its vote. The data comes from grants/committee.py and the reader
rules; the endpoints are actions of the round and proposal resources."""

from decimal import Decimal

from rest_framework import serializers

from portal.api.base import ChangeReasonField, ReaderFieldsMixin
from portal.users import UserSummarySerializer

from .. import readers
from ..choices import ConflictType, RecusalSource, VoteChoice, WithheldReason
from ..models import Decision


class CriterionStatsSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    stddev = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class ProposalScoresSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    affiliate = serializers.IntegerField(required=False)
    rank = serializers.IntegerField(allow_null=True)
    reviews = serializers.IntegerField()
    enough_reviews = serializers.BooleanField()
    weighted_total = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True
    )
    divergent = serializers.BooleanField()
    recommendations = serializers.DictField(child=serializers.IntegerField())
    criteria = CriterionStatsSerializer(many=True)


class WithheldSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    why = serializers.ChoiceField(choices=WithheldReason.choices)


class RankedCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class RankingSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    min_reviews = serializers.IntegerField()
    criteria = RankedCriterionSerializer(many=True)
    ranking = ProposalScoresSerializer(many=True)
    withheld = WithheldSerializer(many=True)


class RecusalRecordSerializer(serializers.Serializer):
    user = UserSummarySerializer(required=False)
    source = serializers.ChoiceField(choices=RecusalSource.choices)
    conflict_type = serializers.ChoiceField(choices=ConflictType.choices)


class VoteInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Decision._meta.get_field("outcome").choices
    )
    rationale = serializers.CharField(max_length=10000)
    amount_approved = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, min_value=0
    )
    exchange_rate = serializers.DecimalField(
        max_digits=18, decimal_places=6, required=False, min_value=Decimal("0.000001")
    )
    conditions = serializers.CharField(
        required=False, allow_blank=True, max_length=5000
    )
    votes = VoteInputSerializer(many=True)
    change_reason = ChangeReasonField()


class DecisionSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    """The outcome and rationale; the tally and votes for the committee only, with
    voters named unless the round hides them (readers.decision_view)."""

    currency = serializers.CharField(source="proposal.currency", read_only=True)
    amount_approved_usd = serializers.DecimalField(
        source="proposal.amount_approved_usd",
        max_digits=24,
        decimal_places=2,
        read_only=True,
        allow_null=True,
    )
    tally = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()

    omittable_fields = readers.DECISION_OMITTABLE_FIELDS

    class Meta:
        model = Decision
        fields = [
            "proposal",
            "outcome",
            "currency",
            "amount_approved",
            "amount_approved_usd",
            "conditions",
            "rationale",
            "decided_at",
            "tally",
            "votes",
        ]

    def view(self, decision) -> readers.DecisionView:
        views = self.__dict__.setdefault("_views", {})
        if decision.pk not in views:
            views[decision.pk] = readers.decision_view(self.reader, decision.proposal)
        return views[decision.pk]

    def omitted_fields(self, user, decision):
        return self.view(decision).omitted_fields

    def get_tally(self, decision) -> dict[str, int]:
        tally = {choice: 0 for choice in VoteChoice.values}
        for vote in decision.votes.all():
            tally[vote.choice] += 1
        return tally

    def get_votes(self, decision) -> list[dict]:
        names = self.view(decision).names
        return [
            {
                "member": UserSummarySerializer(vote.member).data if names else None,
                "choice": vote.choice,
            }
            for vote in decision.votes.all()
        ]
