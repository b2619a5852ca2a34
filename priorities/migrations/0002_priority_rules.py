"""The priority categories residents most often raise, and the database's own guard on "at most
three active priorities per ward" (PostgreSQL), which holds even when two officers publish at once."""

from django.db import migrations

CATEGORIES = [
    "Anti-social behaviour",
    "Anti-social behaviour by young people",
    "Begging",
    "Dangerous driving",
    "Drug dealing and drug use",
    "Fly-tipping",
    "Graffiti and criminal damage",
    "Knife crime",
    "Noise nuisance",
    "Nuisance motorcycles and mopeds",
    "Parking problems",
    "Residential burglary",
    "Robbery",
    "Rubbish and litter",
    "Shoplifting",
    "Speeding",
    "Street drinking",
    "Theft from motor vehicles",
    "Vehicle crime",
    "Violence against women and girls",
]

# Checked when the transaction commits, so a publish may shuffle rows on the way; the advisory lock
# makes two transactions on one ward check one after the other, each seeing the other's rows.
CREATE_GUARD = """
CREATE FUNCTION priorities_at_most_three_active() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'active' THEN
        PERFORM pg_advisory_xact_lock(7405002, NEW.ward_page_id);
        IF (SELECT count(*) FROM priorities_priority
            WHERE ward_page_id = NEW.ward_page_id AND status = 'active') > 3 THEN
            RAISE EXCEPTION 'A ward can have at most 3 active priorities (ward page %)', NEW.ward_page_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER priorities_at_most_three_active
    AFTER INSERT OR UPDATE OF status, ward_page_id ON priorities_priority
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION priorities_at_most_three_active();
"""
DROP_GUARD = """
DROP TRIGGER IF EXISTS priorities_at_most_three_active ON priorities_priority;
DROP FUNCTION IF EXISTS priorities_at_most_three_active();
"""


def seed_categories(apps, schema_editor):
    PriorityCategory = apps.get_model("priorities", "PriorityCategory")
    for name in CATEGORIES:
        PriorityCategory.objects.get_or_create(name=name)


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_GUARD, params=None)


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("priorities", "0001_initial")]

    operations = [
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
        migrations.RunPython(create_guard, drop_guard),
    ]
