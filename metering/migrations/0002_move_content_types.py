"""Move the moved models' content types from ``communities`` to ``metering``.

Permissions, users' and groups' permission grants and admin log entries refer to a content type by
id, so renaming the row's app label takes all of them along. On a fresh database the rows do not
exist yet (``migrate`` creates content types after the last migration) and nothing happens. Where
both rows exist (``post_migrate`` ran between ``communities.0004`` and this migration, e.g. after
``migrate communities``), the old row's permissions, grants and log entries move to the new one
and the old row goes.
"""

from django.db import migrations

MOVED_MODELS = ("meterreading", "frozenrange", "meterchange", "registerstate", "importjob")


def _merge_permissions(apps, using, old, new) -> None:
    """Each permission of ``old`` joins its namesake of ``new`` (grants included), or moves over."""
    Permission = apps.get_model("auth", "Permission")
    grants = [relation for relation in Permission._meta.related_objects if relation.many_to_many]
    for permission in Permission.objects.using(using).filter(content_type=old):
        namesake = Permission.objects.using(using).filter(content_type=new, codename=permission.codename).first()
        if namesake is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        for relation in grants:
            holders = getattr(permission, relation.get_accessor_name()).all()
            getattr(namesake, relation.get_accessor_name()).add(*holders)
        permission.delete()


def _repoint_references(apps, using, old, new) -> None:
    """Every other foreign key to a content type (admin log entries, generic relations) follows."""
    for model in apps.get_models():
        if model._meta.label_lower == "auth.permission":
            continue
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.related_model._meta.label_lower == "contenttypes.contenttype":
                model._base_manager.using(using).filter(**{field.name: old}).update(**{field.name: new})


def _move(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    using = schema_editor.connection.alias
    for model in MOVED_MODELS:
        old = ContentType.objects.using(using).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(using).filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        _merge_permissions(apps, using, old, new)
        _repoint_references(apps, using, old, new)
        old.delete()


def forward(apps, schema_editor):
    _move(apps, schema_editor, source="communities", target="metering")


def backward(apps, schema_editor):
    _move(apps, schema_editor, source="metering", target="communities")


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
