"""The affiliate forms, one module per subject, beside affiliates/views/: public.py
(directory, asking to join), members.py (roles, annual reports, deferments)."""
