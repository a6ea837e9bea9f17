"""State changes for grants: one module per kind of record."""
