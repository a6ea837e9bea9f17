"""An index on the record an entry is about (a discussion's unread entries are
looked up at every comment).

Built concurrently on PostgreSQL, so that a live portal keeps writing notifications
while it builds; a plain index on other databases.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    @staticmethod
    def _done_by(schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return AddIndexConcurrently
        return migrations.AddIndex

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._done_by(schema_editor).database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._done_by(schema_editor).database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="notification",
            index=models.Index(
                fields=["target_type", "target_id"], name="notification_target_idx"
            ),
        ),
    ]
