"""filter_to_sql selects exactly the rows filter_mask selects, on the same data in PostGIS."""

import sys
from pathlib import Path

import numpy as np
import psycopg
import pytest
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io" / "postgis"))
from pgread_data import PG_TYPES, incident_frame, write_frame  # noqa: E402

from mapdesk.model import Filter, FilterError, filter_mask  # noqa: E402
from mapdesk.model.filter import ColumnCache  # noqa: E402
from mapdesk.model.sqlfilter import expression_to_sql, filter_to_sql  # noqa: E402

COLUMNS = {**PG_TYPES, "geom": "geometry(Point,4326)"}

FILTERS = [
    Filter(categories={"type": ["ebike_theft", "O'Brien's"]}),
    Filter(categories={"type": ["fraud", ""]}),  # "" also lets missing values through
    Filter(categories={"type": ["<NA>"]}),
    Filter(categories={"note": ["", "100%"]}),
    Filter(categories={"n": ["3", 4]}),
    Filter(categories={"flag": ["True"]}),
    Filter(ranges={"v": (40.0, 60.5)}),
    Filter(ranges={"v": (None, 30.0), "n": (2, None)}),
    Filter(date_from="2025-03-10"),
    Filter(date_from="2025-03-10", date_to="2025-03-20"),  # bare date_to: whole day
    Filter(date_to="2025-03-20 12:30"),
    Filter(hour_from=22, hour_to=3),  # wraps past midnight
    Filter(hour_from=7, hour_to=9),
    Filter(weekdays=[5, 6]),
    Filter(weekdays=[0], hour_from=23, hour_to=1, date_from="2025-03-05", date_to="2025-04-01"),
    Filter(date_from="2025-03-10", time_field="day"),
    Filter(hour_from=0, hour_to=1, time_field="day"),
    Filter(expression="v > 50 and type == 'fraud'"),
    Filter(expression="type != 'fraud'"),  # missing values pass != (pandas rules)
    Filter(expression="not (type == 'fraud')"),
    Filter(expression="~(v < 40) & (n >= 3) | (note == '100%')"),
    Filter(expression="type in ['dog', 'other'] or n not in [1, 2, 3]"),
    Filter(expression="30 < v <= 60"),
    Filter(expression="flag == True"),
    Filter(expression="`type` == \"O'Brien's\""),
    Filter(expression="time >= '2025-04-01'"),
    Filter(expression="v == 'x'"),  # another kind of value: never equal (pandas)
    Filter(expression="n == -3.0 or v != v"),
    Filter(categories={"type": ["dog", "fraud"]}, ranges={"v": (20, 80)}, date_from="2025-03-03",
           date_to="2025-04-15", hour_from=18, hour_to=6, weekdays=[0, 1, 2, 3, 4],
           expression="n > 1"),
]


@pytest.fixture(scope="module")
def db(pg_server):
    dsn = pg_server.create_database("t_sqlfilter_module")
    frame = incident_frame(3000)
    with psycopg.connect(dsn) as conn:
        write_frame(conn, frame, "inc", index=False)
        yield conn, frame


def _ids(conn, where):
    q = sql.SQL("SELECT id FROM inc")
    params = []
    if where is not None:
        q += sql.SQL(" WHERE ") + where[0]
        params = where[1]
    return sorted(r[0] for r in conn.execute(q, params).fetchall())


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.describe()[:60])
def test_same_rows_as_filter_mask(db, flt):
    conn, frame = db
    expected = sorted(frame.id[filter_mask(flt, frame, time_col="time")].tolist())
    where = filter_to_sql(flt, COLUMNS, "time")
    got = _ids(conn, where)
    assert got == expected
    trivial = flt.expression == "v == 'x'" or flt.time_field == "day" and flt.hour_from == 0
    assert trivial or 0 < len(expected) < len(frame)


def test_event_time_falls_back_to_window_start(db):
    conn, frame = db
    cache = ColumnCache(frame)
    cache.set_times("__event__", frame.time.fillna(frame.time_start))
    for flt in (Filter(date_from="2025-03-10", date_to="2025-03-12"), Filter(hour_from=1, hour_to=4)):
        expected = sorted(frame.id[filter_mask(flt, frame, cache, "__event__")].tolist())
        got = _ids(conn, filter_to_sql(flt, COLUMNS, "time", time_fallback="time_start"))
        assert got == expected
        only_time = _ids(conn, filter_to_sql(flt, COLUMNS, "time"))
        assert len(only_time) < len(got)


def test_empty_filter_is_none():
    assert filter_to_sql(Filter(), COLUMNS, "time") is None


def test_injection_in_expression_is_a_string_literal(db):
    conn, _ = db
    flt = Filter(expression="type == \"x'); drop table inc; --\"")
    cond, params = filter_to_sql(flt, COLUMNS, "time")
    assert "drop" not in cond.as_string(conn).lower()
    assert params == ["x'); drop table inc; --"]
    assert _ids(conn, (cond, params)) == []
    assert conn.execute("SELECT count(*) FROM inc").fetchone()[0] == 3000
    # in a category value too
    where = filter_to_sql(Filter(categories={"type": ["'; DROP TABLE inc; --"]}), COLUMNS, None)
    assert _ids(conn, where) == []
    assert conn.execute("SELECT count(*) FROM inc").fetchone()[0] == 3000


@pytest.mark.parametrize("text", [
    "type == 'x'); drop table t; --'",
    "__import__('os').system('true')",
    "type.str.len() > 3",
    "type.__class__",
    "n + 1 > 3",
    "v > (lambda: 3)()",
    "n[0] == 1",
    "[x for x in n]",
    "n > v if flag else n",
    "type == f'{n}'",
    "type is None",
])
def test_unsupported_expressions_are_refused(text):
    with pytest.raises(FilterError, match="supported|cannot read"):
        expression_to_sql(text, COLUMNS)


def test_unknown_fields_and_bad_values_are_refused():
    with pytest.raises(FilterError, match="not in the table.*fields: day"):
        filter_to_sql(Filter(categories={"nope": ["a"]}), COLUMNS, "time")
    with pytest.raises(FilterError, match="not in the table"):
        filter_to_sql(Filter(expression="nope == 1"), COLUMNS, "time")
    with pytest.raises(FilterError, match="no time field"):
        filter_to_sql(Filter(date_from="2025-01-01"), COLUMNS, None)
    with pytest.raises(FilterError, match="not a date"):
        filter_to_sql(Filter(date_from="yesterday-ish"), COLUMNS, "time")
    with pytest.raises(FilterError, match="stored as 'text'"):
        filter_to_sql(Filter(date_from="2025-01-01"), COLUMNS, "type")
    with pytest.raises(FilterError, match="not true/false"):
        expression_to_sql("type", COLUMNS)
    with pytest.raises(FilterError, match="cannot compare"):
        expression_to_sql("v > 'abc'", COLUMNS)


def test_names_with_quotes_and_percent_are_quoted(db):
    conn, _ = db
    conn.execute('CREATE TABLE odd ("we""ird %s" int, "x%" text)')
    conn.execute("INSERT INTO odd VALUES (1, 'a'), (2, 'b'), (NULL, 'c')")
    cols = {'we"ird %s': "integer", "x%": "text"}
    cond, params = filter_to_sql(Filter(ranges={'we"ird %s': (2, None)},
                                        expression="`x%` != 'a'"), cols, None)
    rows = conn.execute(sql.SQL("SELECT \"x%%\" FROM odd WHERE ") + cond, params).fetchall()
    assert rows == [("b",)]
    conn.rollback()


def test_numeric_text_ranges_coerce_like_pandas(db):
    conn, _ = db
    conn.execute("CREATE TEMP TABLE nt (id int, s text)")
    conn.execute("INSERT INTO nt VALUES (1, '5'), (2, ' 7.5 '), (3, 'abc'), (4, NULL), (5, '1e1')")
    cond, params = filter_to_sql(Filter(ranges={"s": (5, 10)}), {"id": "integer", "s": "text"}, None)
    ids = [r[0] for r in conn.execute(sql.SQL("SELECT id FROM nt WHERE ") + cond + sql.SQL(" ORDER BY id"),
                                      params).fetchall()]
    assert ids == [1, 2, 5]
    conn.rollback()
    assert np.isfinite(5.0)
