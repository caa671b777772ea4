"""Give every live page without a live revision one, made from its saved content.

Stories loaded in bulk by older releases of ``load_demo`` were live pages with no
revision: scheduling an update of one in the admin took it offline (Wagtail treats a
live page without a live revision as not yet published). The revision written here is
what ``save_revision()`` would have written: the page's fields as Wagtail serialises
them (``modelcluster``'s ``get_serializable_data_for_fields``) on the page's own
historical model, so this migration does not depend on today's model classes.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 500


def add_live_revisions(apps, schema_editor):
    from modelcluster.models import get_serializable_data_for_fields

    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    missing = Page.objects.filter(live=True, live_revision__isnull=True, alias_of__isnull=True)
    if not missing.exists():
        return
    base_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    types = {ct.pk: ct for ct in ContentType.objects.filter(pk__in=missing.values("content_type"))}
    for type_id, ct in types.items():
        try:
            model = apps.get_model(ct.app_label, ct.model)
        except LookupError:
            model = Page  # a page type whose app is gone: its base fields still restore
        ids = list(missing.filter(content_type_id=type_id).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            pages = list(model.objects.filter(pk__in=ids[start : start + BATCH]))
            revisions = []
            for page in pages:
                data = get_serializable_data_for_fields(page)
                revisions.append(
                    Revision(
                        content_type_id=type_id,
                        base_content_type_id=base_type.pk,
                        object_id=str(page.pk),
                        content=data,
                        object_str=page.title,
                        created_at=page.last_published_at
                        or page.first_published_at
                        or timezone.now(),
                    )
                )
            created = Revision.objects.bulk_create(revisions)
            if any(r.pk is None for r in created):  # backends without RETURNING ids
                created = [
                    Revision.objects.filter(
                        content_type_id=type_id, object_id=r.object_id
                    ).latest("created_at", "pk")
                    for r in revisions
                ]
            for page, revision in zip(pages, created, strict=True):
                fields = {"live_revision_id": revision.pk}
                if page.latest_revision_id is None:
                    fields.update(
                        latest_revision_id=revision.pk,
                        latest_revision_created_at=revision.created_at,
                        draft_title=page.title,
                        has_unpublished_changes=False,
                    )
                Page.objects.filter(pk=page.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_story_comment_window_and_revised_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(add_live_revisions, migrations.RunPython.noop)]
