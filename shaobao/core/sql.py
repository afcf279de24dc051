"""Small helpers for the few set-based statements written in SQL (INSERT … SELECT over a
district-year), where the ORM's adapters and quoting are not applied for us."""

from django.db import connection


def table(model) -> str:
    """A model's table name, quoted for the connection."""
    return connection.ops.quote_name(model._meta.db_table)


def db_datetime(value):
    """A datetime as the backend stores it (raw parameters skip the ORM's adapters)."""
    return connection.ops.adapt_datetimefield_value(value)
