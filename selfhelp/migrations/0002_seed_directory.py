"""Seed the signposting directory with the organisations named in DOMAIN.md.

Reads selfhelp/content/directory.py; get_or_create keeps it safe to re-run, and admins
edit the entries afterwards (later changes to the seed file do not touch existing rows).
"""

from django.db import migrations


def seed(apps, schema_editor):
    from selfhelp.content.directory import DIRECTORY

    SignpostingEntry = apps.get_model("selfhelp", "SignpostingEntry")
    for position, entry in enumerate(DIRECTORY):
        SignpostingEntry.objects.get_or_create(
            name=entry["name"],
            category=entry["category"],
            defaults={
                "nation": entry["nation"],
                "description": entry["description"],
                "phone": entry["phone"],
                "website": entry["website"],
                "hours": entry["hours"],
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("selfhelp", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
