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

BODY = """
BEGIN
    IF p_async_commit THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    PERFORM 1 FROM metering_meterperiod
        WHERE reader_key = p_reader_key AND period = p_period FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO metering_meterperiod (reader_key, period)
            VALUES (p_reader_key, p_period) ON CONFLICT DO NOTHING;
        PERFORM 1 FROM metering_meterperiod
            WHERE reader_key = p_reader_key AND period = p_period FOR UPDATE;
    END IF;
    SELECT coalesce(array_agg(v.story_id), ARRAY[]::bigint[]) INTO seen
        FROM metering_meterview v
        WHERE v.reader_key = p_reader_key AND v.period = p_period;
    counted := NOT (p_story_id = ANY(seen)) AND cardinality(seen) < p_limit;
    IF counted THEN
        INSERT INTO metering_meterview (reader_key, period, story_id, viewed_at)
            VALUES (p_reader_key, p_period, p_story_id, p_viewed_at);
    END IF;
END
"""

CREATE = (
    """
CREATE OR REPLACE FUNCTION masthead_meter_count(
    p_reader_key varchar, p_period date, p_story_id bigint, p_limit integer,
    p_viewed_at timestamptz, p_async_commit boolean, OUT counted boolean, OUT seen bigint[]
) LANGUAGE plpgsql VOLATILE AS $$"""
    + BODY
    + "$$;"
)
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
