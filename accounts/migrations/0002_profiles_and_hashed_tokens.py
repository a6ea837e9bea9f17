"""Existing users get a profile; DRF's plain-text tokens become hashed ApiTokens.

Keys issued by `manage.py drf_create_token` keep working (same header, same key):
each is stored as its SHA-256 hash, and the plain-text copies in `authtoken_token`
(the table of `rest_framework.authtoken`, no longer installed) are deleted.
"""

import hashlib

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Profile = apps.get_model("accounts", "Profile")
    ApiToken = apps.get_model("accounts", "ApiToken")
    with_profile = set(Profile.objects.values_list("user_id", flat=True))
    Profile.objects.bulk_create(
        Profile(user_id=pk)
        for pk in User.objects.values_list("pk", flat=True)
        if pk not in with_profile
    )
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    quoted = schema_editor.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {quoted}")  # noqa: S608
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="API token (before named tokens)",
            key_prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
        )
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
