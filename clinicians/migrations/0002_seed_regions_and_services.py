"""The seven NHS England regions and the services clinicians can offer: fixed lists, one row each."""

from django.db import migrations

REGIONS = (
    "london",
    "south-east",
    "south-west",
    "east-of-england",
    "midlands",
    "north-east-and-yorkshire",
    "north-west",
)
SERVICES = ("assessment", "psychiatry", "cbt", "brief-psychotherapy", "addiction", "group")


def seed(apps, schema_editor):
    Region = apps.get_model("clinicians", "Region")
    Service = apps.get_model("clinicians", "Service")
    for code in REGIONS:
        Region.objects.get_or_create(code=code)
    for code in SERVICES:
        Service.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("clinicians", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
