"""Give the "Moderators" group the comment-moderation permissions.

Wagtail's own initial data already creates a "Moderators" group (for page moderation);
we reuse it (creating it if absent) and add: Wagtail admin access, ``moderate_comments``
and ``view_moderationdecision``. Permissions are created here because Django's
post_migrate hook has not run yet during ``migrate``.
"""

from django.db import migrations

PERMS = [
    ("moderation", "moderationdecision", "moderate_comments", "Can moderate comments and members"),
    ("moderation", "moderationdecision", "view_moderationdecision", "Can view moderation decision"),
    ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
]


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, model, codename, name in PERMS:
        ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perm, _ = Permission.objects.get_or_create(content_type=ct, codename=codename, defaults={"name": name})
        group.permissions.add(perm)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Moderators").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="moderation", codename__in=[p[2] for p in PERMS])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
