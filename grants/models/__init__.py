from .coi import DeclaredInterest, InterestDeclaration, ProposalDeclaration
from .moderation import CommentReport, CommentReportStatus
from .programs import FundProgram, Round, Rubric, RubricCriterion
from .proposals import BudgetLine, Proposal, TargetMetric
from .reports import GrantReport, MetricResult, SpendingLine
from .reviews import (
    Committee,
    CommitteeMember,
    Decision,
    ProposalComment,
    Recusal,
    Review,
    ReviewerAssignment,
    Score,
    Vote,
)

__all__ = [
    "CommentReport",
    "CommentReportStatus",
    "Committee",
    "CommitteeMember",
    "Decision",
    "ProposalComment",
    "Recusal",
    "Review",
    "ReviewerAssignment",
    "Score",
    "Vote",
    "BudgetLine",
    "DeclaredInterest",
    "FundProgram",
    "GrantReport",
    "InterestDeclaration",
    "MetricResult",
    "Proposal",
    "ProposalDeclaration",
    "Round",
    "Rubric",
    "RubricCriterion",
    "SpendingLine",
    "TargetMetric",
]
