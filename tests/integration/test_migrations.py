"""The plugin's migrations apply on MariaDB, backwards and forwards, and match the models."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection


def _model_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_app_config("elearn_plugin").get_models()
        if model._meta.managed
    }


def _plugin_tables() -> set[str]:
    """The plugin's model tables that exist in the database now."""
    return _model_tables() & set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_every_migration_applies_on_mariadb():
    # P-33: an upgrade or a rollback of the plugin never leaves the schema half-applied.
    assert _plugin_tables() == _model_tables(), "the migrated test database lacks tables"
    out = io.StringIO()
    call_command("migrate", "elearn_plugin", "zero", verbosity=0, stdout=out)
    try:
        assert _plugin_tables() == set()
    finally:
        call_command("migrate", "elearn_plugin", verbosity=0, stdout=out)
    assert _plugin_tables() == _model_tables()

    check = io.StringIO()
    try:
        call_command(
            "makemigrations", "elearn_plugin", check=True, dry_run=True, stdout=check, verbosity=1
        )
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{check.getvalue()}")
