"""The map's grid counts (``StationGridCell``) and the triggers that keep them.

The zoomed-out map groups stations on a grid of 64-pixel cells (``stations/feeds.py``);
this table holds each non-empty cell's count and coordinate sums at zooms 0 to 15, so the
feed reads cells instead of every station in view. Triggers on ``stations_station`` keep
it: whatever writes a station (a save, ``update()``, ``bulk_create``, an import, raw SQL)
is counted, because the database itself does the counting. The cell index is the feed's
``CellIndex`` to the last bit: FLOOR(coordinate / cell) on PostgreSQL, SQLite's cast
(``CAST(x + 1048576 AS INTEGER) - 1048576``) there, with the cell 90 / 2**zoom degrees
(``feeds.cell_degrees``; a power-of-two fraction of 90, so the same double in SQL as in
Python). ``tests/stations/test_grid_cells.py`` checks these constants against the feed's.

Frozen here, as migrations must be: a new grid (another cell size or another
``SINGLES_ZOOM``) is a new migration that replaces the triggers and refills the table.
"""

from django.db import migrations, models

# Zooms 0 .. SINGLES_ZOOM - 1, and the side of a cell at each: 90 / 2**zoom degrees.
LEVELS = range(16)
TABLE = "stations_stationgridcell"
# Exactly the filter of Station.objects.published(), as Django writes it.
VISIBLE = "{row}.published AND NOT ({row}.status = 'retired')"
SUMS = (
    "count = {target}count + excluded.count, "
    "sum_lat = {target}sum_lat + excluded.sum_lat, "
    "sum_lng = {target}sum_lng + excluded.sum_lng, "
    "sum_id = {target}sum_id + excluded.sum_id"
)
# A trigger's last step: the cells it emptied go (found through the partial index).
DROP_EMPTY = f"DELETE FROM {TABLE} WHERE count <= 0"


# --- SQLite: a row trigger per event. Trigger bodies take no WITH, so the zooms are a
# compound SELECT; an INSERT ... SELECT upsert needs its WHERE (here: the station counts).

SQLITE_LEVELS = " UNION ALL ".join(
    f"SELECT {level} AS level, 90.0 / {2**level} AS cell" for level in LEVELS
)


def sqlite_index(value: str) -> str:
    return f"(CAST(({value} / z.cell) + 1048576 AS INTEGER) - 1048576)"


def sqlite_add(row: str, sign: int) -> str:
    """Add (``sign`` 1) or take away (-1) station ``row`` (NEW or OLD) at every zoom."""
    return (
        f"INSERT INTO {TABLE} (level, cx, cy, count, sum_lat, sum_lng, sum_id) "
        f"SELECT z.level, {sqlite_index(row + '.longitude')}, {sqlite_index(row + '.latitude')}, "
        f"{sign}, {sign} * {row}.latitude, {sign} * {row}.longitude, {sign} * {row}.id "
        f"FROM ({SQLITE_LEVELS}) AS z WHERE {VISIBLE.format(row=row)} "
        f"ON CONFLICT (level, cy, cx) DO UPDATE SET {SUMS.format(target='')};"
    )


# An update counts only when it moves, renumbers, shows or hides a station: a save that
# changes none of these leaves the cells (and their sums) untouched.
SQLITE_CHANGED = (
    "OLD.id IS NOT NEW.id OR OLD.latitude IS NOT NEW.latitude "
    "OR OLD.longitude IS NOT NEW.longitude OR OLD.published IS NOT NEW.published "
    "OR (OLD.status = 'retired') IS NOT (NEW.status = 'retired')"
)

SQLITE_FORWARDS = [
    "CREATE TRIGGER stations_station_grid_insert AFTER INSERT ON stations_station "
    f"FOR EACH ROW BEGIN {sqlite_add('NEW', 1)} END",
    "CREATE TRIGGER stations_station_grid_update "
    "AFTER UPDATE OF id, latitude, longitude, published, status ON stations_station "
    f"FOR EACH ROW WHEN {SQLITE_CHANGED} "
    f"BEGIN {sqlite_add('OLD', -1)} {sqlite_add('NEW', 1)} {DROP_EMPTY}; END",
    "CREATE TRIGGER stations_station_grid_delete AFTER DELETE ON stations_station "
    f"FOR EACH ROW BEGIN {sqlite_add('OLD', -1)} {DROP_EMPTY}; END",
    f"INSERT INTO {TABLE} (level, cx, cy, count, sum_lat, sum_lng, sum_id) "
    f"SELECT z.level, {sqlite_index('s.longitude')} AS x, {sqlite_index('s.latitude')} AS y, "
    "COUNT(*), SUM(s.latitude), SUM(s.longitude), SUM(s.id) "
    f"FROM stations_station AS s, ({SQLITE_LEVELS}) AS z WHERE {VISIBLE.format(row='s')} "
    "GROUP BY z.level, x, y",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS stations_station_grid_insert",
    "DROP TRIGGER IF EXISTS stations_station_grid_update",
    "DROP TRIGGER IF EXISTS stations_station_grid_delete",
]


# --- PostgreSQL: statement triggers with transition tables, so a bulk write of 100,000
# stations is one grouped insert, not 1.6 million. They append to a change log
# (``StationGridChange``) rather than update the cells: PostgreSQL keeps every version of a
# row a transaction updates until it ends, so thousands of one-row writes in one transaction
# (an import saves row by row) updating the same low-zoom cells again and again slowed down
# with the square of their number. Appending costs the same every time; the reader folds the
# log into the cells (``StationGridCell.objects.fold_changes``), each cell once, outside the
# writer's transaction. TRUNCATE (Django's test flush) fires no row or delete trigger: its
# own trigger empties both tables.
CHANGES = "stations_stationgridchange"


def pg_index(value: str) -> str:
    return f"CAST(FLOOR({value} / (90.0::float8 / (1 << z.level))) AS INTEGER)"


def pg_log(deltas: str) -> str:
    """Log each (id, latitude, longitude, sign) of ``deltas`` at every zoom, grouped by cell."""
    return (
        f"INSERT INTO {CHANGES} (level, cx, cy, count, sum_lat, sum_lng, sum_id) "
        f"SELECT z.level, {pg_index('d.longitude')} AS x, {pg_index('d.latitude')} AS y, "
        "SUM(d.sign), SUM(d.sign * d.latitude), SUM(d.sign * d.longitude), SUM(d.sign * d.id) "
        f"FROM ({deltas}) AS d CROSS JOIN generate_series(0, {len(LEVELS) - 1}) AS z(level) "
        "GROUP BY z.level, x, y;"
    )


def pg_apply(deltas: str) -> str:
    """Add each (id, latitude, longitude, sign) of ``deltas`` at every zoom, in one upsert
    (the migration's own fill).

    Cells are locked in (level, cy, cx) order, so two writers never wait on each other
    crosswise.
    """
    return (
        f"INSERT INTO {TABLE} (level, cx, cy, count, sum_lat, sum_lng, sum_id) "
        f"SELECT z.level, {pg_index('d.longitude')} AS x, {pg_index('d.latitude')} AS y, "
        "SUM(d.sign), SUM(d.sign * d.latitude), SUM(d.sign * d.longitude), SUM(d.sign * d.id) "
        f"FROM ({deltas}) AS d CROSS JOIN generate_series(0, {len(LEVELS) - 1}) AS z(level) "
        "GROUP BY z.level, x, y ORDER BY z.level, y, x "
        f"ON CONFLICT (level, cy, cx) DO UPDATE SET {SUMS.format(target=TABLE + '.')};"
    )


def pg_rows(table: str, sign: int, alias: str) -> str:
    return (
        f"SELECT {alias}.id, {alias}.latitude, {alias}.longitude, {sign} AS sign "
        f"FROM {table} AS {alias} WHERE {VISIBLE.format(row=alias)}"
    )


def pg_unless_in(table: str, alias: str, other: str) -> str:
    # The same station, in the same place and shown, on the other side of the update.
    return (
        f" AND NOT EXISTS (SELECT 1 FROM {table} AS {alias} WHERE {alias}.id = {other}.id "
        f"AND {alias}.latitude = {other}.latitude AND {alias}.longitude = {other}.longitude "
        f"AND {VISIBLE.format(row=alias)})"
    )


PG_UPDATE_DELTAS = (
    pg_rows("grid_old", -1, "o")
    + pg_unless_in("grid_new", "n", "o")
    + " UNION ALL "
    + pg_rows("grid_new", 1, "n")
    + pg_unless_in("grid_old", "o", "n")
)

PG_FORWARDS = [
    f"""CREATE FUNCTION stations_station_grid() RETURNS trigger LANGUAGE plpgsql AS $grid$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {pg_log(pg_rows("grid_new", 1, "n"))}
    ELSIF TG_OP = 'DELETE' THEN
        {pg_log(pg_rows("grid_old", -1, "o"))}
    ELSE
        {pg_log(PG_UPDATE_DELTAS)}
    END IF;
    RETURN NULL;
END
$grid$""",
    f"""CREATE FUNCTION stations_station_grid_clear() RETURNS trigger LANGUAGE plpgsql AS $grid$
BEGIN
    DELETE FROM {TABLE};
    DELETE FROM {CHANGES};
    RETURN NULL;
END
$grid$""",
    "CREATE TRIGGER stations_station_grid_insert AFTER INSERT ON stations_station "
    "REFERENCING NEW TABLE AS grid_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION stations_station_grid()",
    "CREATE TRIGGER stations_station_grid_update AFTER UPDATE ON stations_station "
    "REFERENCING OLD TABLE AS grid_old NEW TABLE AS grid_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION stations_station_grid()",
    "CREATE TRIGGER stations_station_grid_delete AFTER DELETE ON stations_station "
    "REFERENCING OLD TABLE AS grid_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION stations_station_grid()",
    "CREATE TRIGGER stations_station_grid_truncate AFTER TRUNCATE ON stations_station "
    "FOR EACH STATEMENT EXECUTE FUNCTION stations_station_grid_clear()",
    # The stations already there (the triggers exist and hold their lock: none is missed).
    pg_apply(pg_rows("stations_station", 1, "s")),
]
PG_BACKWARDS = [
    "DROP TRIGGER IF EXISTS stations_station_grid_truncate ON stations_station",
    "DROP TRIGGER IF EXISTS stations_station_grid_delete ON stations_station",
    "DROP TRIGGER IF EXISTS stations_station_grid_update ON stations_station",
    "DROP TRIGGER IF EXISTS stations_station_grid_insert ON stations_station",
    "DROP FUNCTION IF EXISTS stations_station_grid_clear()",
    "DROP FUNCTION IF EXISTS stations_station_grid()",
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database vendor only (triggers are written in each one's dialect)."""

    def __init__(self, vendor: str, sql, reverse_sql=None, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('stations', '0006_translated_texts_and_pinyin'),
    ]

    operations = [
        migrations.CreateModel(
            name='StationGridCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(verbose_name='zoom')),
                ('cx', models.IntegerField(verbose_name='column')),
                ('cy', models.IntegerField(verbose_name='row')),
                ('count', models.IntegerField(verbose_name='stations')),
                ('sum_lat', models.FloatField(verbose_name='sum of latitudes')),
                ('sum_lng', models.FloatField(verbose_name='sum of longitudes')),
                ('sum_id', models.BigIntegerField(verbose_name='sum of station ids')),
            ],
            options={
                'verbose_name': 'map grid cell',
                'verbose_name_plural': 'map grid cells',
                'default_permissions': (),
                'indexes': [models.Index(condition=models.Q(('count__lte', 0)), fields=['count'], name='stations_grid_empty')],
                'constraints': [models.UniqueConstraint(fields=('level', 'cy', 'cx'), name='stations_stationgridcell_cell')],
            },
        ),
        migrations.CreateModel(
            name='StationGridChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(verbose_name='zoom')),
                ('cx', models.IntegerField(verbose_name='column')),
                ('cy', models.IntegerField(verbose_name='row')),
                ('count', models.IntegerField(verbose_name='stations')),
                ('sum_lat', models.FloatField(verbose_name='sum of latitudes')),
                ('sum_lng', models.FloatField(verbose_name='sum of longitudes')),
                ('sum_id', models.BigIntegerField(verbose_name='sum of station ids')),
            ],
            options={
                'verbose_name': 'map grid change',
                'verbose_name_plural': 'map grid changes',
                'default_permissions': (),
            },
        ),
        RunSQLOn("sqlite", SQLITE_FORWARDS, SQLITE_BACKWARDS),
        RunSQLOn("postgresql", PG_FORWARDS, PG_BACKWARDS),
    ]
