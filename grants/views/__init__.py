"""The grants pages, one module per subject: public.py (funded grants, for
everyone), proposals.py (the proposal editor), reports.py (grant reports),
comments.py (community comments). Views are thin: they load through the reader
rules, call the services and map domain errors (portal/errors.py)."""
