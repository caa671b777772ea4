"""The meter's counting step as one PostgreSQL function (one round trip per counted read).

:func:`masthead.metering.services.decide_for` calls ``masthead_meter_count`` on
PostgreSQL instead of five statements (begin, lock, read, insert, commit). The function
takes the same row lock as the Python path (``SELECT … FOR UPDATE`` on the reader's
``metering_meterperiod`` row), so both paths serialise against each other. Under READ
COMMITTED a VOLATILE PL/pgSQL function takes a new snapshot for each statement
(PostgreSQL manual, "Transaction Isolation" and "Function Volatility Categories"), so
the views read after the lock include every view committed before it was granted.
Other databases keep the Python path; this migration does nothing there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION masthead_meter_count(
    p_reader_key varchar, p_period date, p_story_id bigint, p_limit integer,
    p_viewed_at timestamptz, OUT counted boolean, OUT seen bigint[]
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
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
$$;
"""

DROP = "DROP FUNCTION IF EXISTS masthead_meter_count(varchar, date, bigint, integer, timestamptz);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("metering", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
