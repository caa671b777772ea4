"""``masthead_meter_count`` may commit its count asynchronously (one more argument).

With ``p_async_commit`` true the function sets ``synchronous_commit = off`` for its own
transaction (``set_config(…, true)``: until that transaction ends), so the counted read
returns without waiting for the WAL flush to disk. PostgreSQL manual, "Asynchronous
Commit" (Reliability and the Write-Ahead Log): a crash of the database server may lose
the transactions committed in the last moments before it (at most about three times
``wal_writer_delay``, 200 ms by default), never the database's consistency. For the
meter that means at worst a story counted in that instant is counted again when the
reader opens it again after the crash, and the meter mirror in the cache usually
still has it. Row locks, and so the exact limit under concurrency, are unchanged.
``MASTHEAD_METER_ASYNC_COMMIT`` (default on) chooses; when the caller has a transaction
of its own open, the setting lasts until that transaction ends.
"""

from importlib import import_module

from django.db import migrations

# The five-argument function this one replaces (and restores when migrating back).
previous = import_module("masthead.metering.migrations.0002_meter_count_function")

SIGNATURE = "p_viewed_at timestamptz, OUT counted"
ASYNC_START = """BEGIN
    IF p_async_commit THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;"""
# The previous function with one more argument and the setting at its start; the rest of
# its body (lock, read, insert) is unchanged.
assert previous.CREATE.count(SIGNATURE) == 1 and previous.CREATE.count("BEGIN") == 1
CREATE = previous.CREATE.replace(
    SIGNATURE, "p_viewed_at timestamptz, p_async_commit boolean, OUT counted"
).replace("BEGIN", ASYNC_START)
DROP_NEW = (
    "DROP FUNCTION IF EXISTS masthead_meter_count(varchar, date, bigint, integer, timestamptz,"
    " boolean);"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.DROP)
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NEW)
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [("metering", "0002_meter_count_function")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
