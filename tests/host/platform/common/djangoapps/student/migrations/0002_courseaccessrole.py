import django.db.models.deletion
import opaque_keys.edx.django.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("student", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseAccessRole",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("org", models.CharField(blank=True, db_index=True, max_length=64)),
                (
                    "course_id",
                    opaque_keys.edx.django.models.CourseKeyField(
                        blank=True, db_index=True, max_length=255
                    ),
                ),
                ("role", models.CharField(db_index=True, max_length=64)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={"unique_together": {("user", "org", "course_id", "role")}},
        ),
    ]
