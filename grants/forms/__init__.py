"""The grants forms, one module per subject, beside grants/views/: proposals.py
(the proposal editor), public.py (funded grants filters), reports.py (grant
reports), comments.py (community comments)."""
