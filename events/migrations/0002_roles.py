from django.db import migrations

ROLES = [
    ("police-officer", "Police officer", 1),
    ("pcso", "Police community support officer (PCSO)", 2),
    ("special-constable", "Special constable", 3),
]


def add_roles(apps, schema_editor):
    Role = apps.get_model("events", "Role")
    for code, name, position in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(add_roles, migrations.RunPython.noop)]
