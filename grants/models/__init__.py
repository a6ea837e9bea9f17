from .coi import DeclaredInterest, InterestDeclaration, ProposalDeclaration
from .programs import FundProgram, Round, Rubric, RubricCriterion
from .proposals import BudgetLine, Proposal, TargetMetric
from .reports import GrantReport, MetricResult, SpendingLine

__all__ = [
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
