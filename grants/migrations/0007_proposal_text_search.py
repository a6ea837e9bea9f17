"""The full-text index of proposals (grants.search), on PostgreSQL only.

Built concurrently, so that a live portal keeps writing proposals while it builds.
Other databases search substrings and get no index; the migration state has it
everywhere, as the model does.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexOnPostgreSQL(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("grants", "0006_comment_reports"),
    ]

    operations = [
        AddIndexOnPostgreSQL(
            model_name="proposal",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector(
                    "title", "summary", config="simple"
                ),
                name="proposal_text_search",
            ),
        ),
    ]
