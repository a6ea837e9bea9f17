"""Affiliate pages, one module per subject: public.py (directory, profiles, asking to
join), members.py (the members' dashboard, members and roles, annual reports and
deferments). Thin views over the services and reader rules."""
