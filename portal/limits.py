"""Limits on every input: sizes no real proposal, report or story reaches.

They keep one request from costing minutes of work or megabytes of storage. Models
carry the text limits (so forms and serializers inherit them), services the counts
of child rows, the JSON parser the depth and size of a request body. SECURITY.md
lists them.
"""

# Single-line text
TITLE = 200
NAME = 200
# Text
SUMMARY = 2000
LONG_TEXT = 20_000  # a proposal's description, a report's narrative or learnings
COMMENT = 5000  # community comments, staff and reviewer comments, explanations
REVIEW_TEXT = 10_000  # a reviewer's comment or note, a decision's rationale
MESSAGE = 2000  # a membership request's message

# Child rows written with their parent
BUDGET_LINES = 200
TARGET_METRICS = 50
METRIC_RESULTS = 50
SPENDING_LINES = 200
SCORES = 50
DECLARED_INTERESTS = 50

# Every model written as child rows of a parent (grants/services/_children.py) has
# a limit here; the OpenAPI schema shows it as maxItems (portal/api/schema.py).
CHILD_ROWS = {
    "grants.BudgetLine": BUDGET_LINES,
    "grants.TargetMetric": TARGET_METRICS,
    "grants.MetricResult": METRIC_RESULTS,
    "grants.SpendingLine": SPENDING_LINES,
    "grants.Score": SCORES,
    "grants.DeclaredInterest": DECLARED_INTERESTS,
}

# Learning stories
STORY_BLOCKS = 100
STORY_BLOCK_TEXT = 20_000  # characters of one block as JSON
STORY_THEMES = 20

# API tokens: active ones a person may hold, and how many they may create a day
API_TOKENS_ACTIVE = 20
API_TOKENS_PER_DAY = 20

# "Report this comment": reports a person may send a day
COMMENT_REPORTS_PER_DAY = 20

# Request bodies
JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 2 * 1024 * 1024
