"""A layer :class:`~mapdesk.model.filter.Filter` as a parameterised SQL ``WHERE`` condition.

Remote (PostGIS) layers push their filter to the server. :func:`filter_to_sql` gives a condition
that selects exactly the rows :func:`~mapdesk.model.filter.filter_mask` selects on the same data:

- categories compare the values as text (as the mask does); ``""`` or ``"<NA>"`` in the allowed
  list also lets missing values through;
- ranges are inclusive and skip missing values;
- dates: ``date_from`` inclusive, a bare ``date_to`` includes that whole day, rows without a
  time never pass a date, hour or weekday condition;
- hours ``[hour_from, hour_to)`` wrap past midnight; weekdays count from 0 = Monday;
- the free expression is parsed with :mod:`ast` into a whitelist (comparisons, ``in``/``not in``
  lists, ``and``/``or``/``not``, ``&``/``|``/``~``, column names, literals) and translated with
  pandas' missing-value rules (a comparison with a missing value is false, ``!=`` is true).

Column names are always sent as :class:`psycopg.sql.Identifier` (see
:func:`mapdesk.io.postgis.sqltext.ident`) and values as ``%s``
placeholders: no user text is ever formatted into the SQL.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from psycopg import sql

from mapdesk.io.postgis.sqltext import SqlWhere, ident
from mapdesk.model.filter import Filter, FilterError

__all__ = ["SUPPORTED", "SqlWhere", "column_kind", "expression_to_sql", "filter_to_sql"]

SUPPORTED = ("comparisons (==, !=, <, <=, >, >=, chained a < x < b), `in`/`not in` a list of "
             "literals, and/or/not (also &, |, ~), column names (backticks for names with "
             "spaces) and literals (text in quotes, numbers, True/False)")

_NUMERIC = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8", "numeric", "decimal",
            "real", "double precision", "float4", "float8", "smallserial", "serial", "bigserial"}
_TEXT = {"text", "character varying", "varchar", "character", "char", "bpchar", "name", "citext"}
_BOOL = {"boolean", "bool"}


def column_kind(pg_type: str) -> str:
    """``"number"``, ``"text"``, ``"bool"``, ``"time"``, ``"date"`` or ``"other"`` for a
    PostgreSQL type name as ``format_type`` or ``udt_name`` spell it."""
    t = (pg_type or "").lower().strip()
    base = re.sub(r"\(.*\)", "", t).strip()
    if base in _NUMERIC:
        return "number"
    if base in _TEXT:
        return "text"
    if base in _BOOL:
        return "bool"
    if base == "date":
        return "date"
    if base.startswith("timestamp"):
        return "time"
    return "other"


def _column(columns: Mapping[str, str], name: str) -> tuple[sql.Composable, str]:
    if name not in columns:
        known = ", ".join(sorted(c for c in columns)) or "none"
        raise FilterError(f"filter names a field that is not in the table: {name!r} (fields: {known})")
    return ident(name), column_kind(columns[name])


def _as_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False, "t": True, "f": False}

# text that pd.to_numeric accepts: numbers with optional sign, decimals and exponent
_NUMBER_RE = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


def _category(col: sql.Composable, kind: str, allowed: list[Any]) -> SqlWhere:
    texts = [str(a) for a in allowed]
    with_null = "" in texts or "<NA>" in texts
    if kind == "number":
        vals = [x for x in (_as_number(a) for a in allowed if not isinstance(a, str) or a.strip())
                if x is not None]
        cond, params = sql.SQL("{} = ANY(%s::float8[])").format(col), [vals]
    elif kind == "bool":
        vals = sorted({_BOOL_TEXT[str(a).lower()] for a in allowed if str(a).lower() in _BOOL_TEXT})
        cond, params = sql.SQL("{} = ANY(%s::bool[])").format(col), [vals]
    elif kind == "text":
        cond, params = sql.SQL("{} = ANY(%s::text[])").format(col), [texts]
    else:
        cond, params = sql.SQL("{}::text = ANY(%s::text[])").format(col), [texts]
    if with_null:
        cond = sql.SQL("({} OR {} IS NULL)").format(cond, col)
    return cond, params


def _number_expr(col: sql.Composable, kind: str, name: str) -> sql.Composable:
    if kind == "number":
        return sql.SQL("{}::float8").format(col)
    if kind in ("text", "other"):  # like pd.to_numeric(errors="coerce"): non-numbers are missing
        return sql.SQL("(CASE WHEN {c}::text ~ {re} THEN {c}::text::float8 END)").format(
            c=col, re=sql.Literal(_NUMBER_RE))
    if kind == "bool":
        return sql.SQL("{}::int::float8").format(col)
    raise FilterError(f"a number range cannot apply to the date/time field {name!r}")


def _timestamp(value: str, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise FilterError(f"{what} {value!r} is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)") from exc
    if ts is pd.NaT:
        raise FilterError(f"{what} {value!r} is not a date")
    if ts.tz is not None:
        ts = ts.tz_convert(None)
    return ts


def _time_expr(columns: Mapping[str, str], time_column: str, time_fallback: str | None
               ) -> sql.Composable:
    parts = []
    for name in (time_column, time_fallback):
        if name is None:
            continue
        col, kind = _column(columns, name)
        if kind == "date":
            parts.append(sql.SQL("{}::timestamp").format(col))
        elif kind == "time":
            parts.append(col)
        else:
            raise FilterError(f"the time field {name!r} is stored as {columns[name]!r} in the database, "
                              "not as a date or timestamp: convert the column to filter by date or time")
    if len(parts) == 1:
        return parts[0]
    return sql.SQL("COALESCE({})").format(sql.SQL(", ").join(parts))


def filter_to_sql(flt: Filter, columns: Mapping[str, str], time_column: str | None,
                  *, time_fallback: str | None = None) -> SqlWhere | None:
    """Translate ``flt`` into a parameterised condition for a table with ``columns``.

    Parameters
    ----------
    flt
        The layer filter.
    columns
        The table's columns: name -> PostgreSQL type (``TableInfo.columns``).
    time_column
        Column for the date, hour and weekday conditions when the filter names none.
    time_fallback
        Optional second time column used where ``time_column`` is NULL (an incident known only by
        its window start), like the in-memory layer's event time.

    Returns
    -------
    (condition, params) or None
        None when the filter keeps every row. Raises :class:`FilterError` for unknown fields, a
        bad expression or an expression using anything outside the whitelist.
    """
    if flt is None or flt.is_empty():
        return None
    conds: list[sql.Composable] = []
    params: list = []

    def add(where: SqlWhere) -> None:
        conds.append(where[0])
        params.extend(where[1])

    for name, allowed in flt.categories.items():
        col, kind = _column(columns, name)
        add(_category(col, kind, list(allowed)))
    for name, (lo, hi) in flt.ranges.items():
        col, kind = _column(columns, name)
        num = _number_expr(col, kind, name)
        if lo is not None:
            add((sql.SQL("{} >= %s").format(num), [float(lo)]))
        if hi is not None:
            add((sql.SQL("{} <= %s").format(num), [float(hi)]))
    if flt.needs_time():
        name = flt.time_field or time_column
        if not name:
            raise FilterError("this layer has no time field to filter by date or time of day "
                              "(set the time field in the layer's field mapping)")
        t = _time_expr(columns, name, None if flt.time_field else time_fallback)
        add((sql.SQL("{} IS NOT NULL").format(t), []))
        if flt.date_from:
            ts = _timestamp(flt.date_from, "start date")
            add((sql.SQL("{} >= %s::timestamp").format(t), [ts.to_pydatetime()]))
        if flt.date_to:
            end = _timestamp(flt.date_to, "end date")
            if len(flt.date_to) <= 10:  # a bare date includes the whole day
                add((sql.SQL("{} < %s::timestamp").format(t), [(end + pd.Timedelta(days=1)).to_pydatetime()]))
            else:
                add((sql.SQL("{} <= %s::timestamp").format(t), [end.to_pydatetime()]))
        if flt.hour_from is not None and flt.hour_to is not None:
            a, b = int(flt.hour_from), int(flt.hour_to)
            hour = sql.SQL("date_part('hour', {})").format(t)
            if a <= b:
                add((sql.SQL("({h} >= %s AND {h} < %s)").format(h=hour), [a, b]))
            else:
                add((sql.SQL("({h} >= %s OR {h} < %s)").format(h=hour), [a, b]))
        if flt.weekdays is not None:
            days = sorted({int(d) for d in flt.weekdays})
            add((sql.SQL("(date_part('isodow', {})::int - 1) = ANY(%s::int[])").format(t), [days]))
    if flt.expression.strip():
        add(expression_to_sql(flt.expression, columns))
    if not conds:
        return None
    return sql.SQL("(") + sql.SQL(" AND ").join(conds) + sql.SQL(")"), params


# ---- the free expression ---------------------------------------------------------------------
def _preprocess(text: str) -> tuple[str, dict[str, str]]:
    """pandas.eval's spelling -> Python: ``&``/``|`` get boolean precedence (as in pandas), and
    backtick-quoted column names become plain identifiers."""
    out: list[str] = []
    names: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif ch == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise FilterError(f"unclosed backtick in filter expression {text!r}")
            key = f"__mapdesk_col{len(names)}__"
            names[key] = text[i + 1:j]
            out.append(key)
            i = j + 1
        elif ch == "&":
            out.append(" and ")
            i += 1
        elif ch == "|":
            out.append(" or ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), names


_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


class _Translator:
    def __init__(self, text: str, columns: Mapping[str, str], names: dict[str, str]):
        self.text = text
        self.columns = columns
        self.names = names
        self.params: list = []

    def refuse(self, node: ast.AST) -> FilterError:
        what = type(node).__name__
        try:
            what = f"{ast.unparse(node)!r} ({type(node).__name__})"
        except Exception:  # noqa: BLE001 - only for the message
            pass
        return FilterError(f"filter expression {self.text!r}: {what} is not supported; "
                           f"supported: {SUPPORTED}")

    # operands: ("col", Identifier, kind) or ("lit", value) or ("list", [values])
    def operand(self, node: ast.AST):
        if isinstance(node, ast.Name):
            name = self.names.get(node.id, node.id)
            col, kind = _column(self.columns, name)
            return ("col", col, kind)
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
            return ("lit", node.value)
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
                and isinstance(node.operand, ast.Constant)
                and isinstance(node.operand.value, (int, float))
                and not isinstance(node.operand.value, bool)):
            v = node.operand.value
            return ("lit", -v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            vals = []
            for e in node.elts:
                o = self.operand(e)
                if o[0] != "lit":
                    raise self.refuse(e)
                vals.append(o[1])
            return ("list", vals)
        raise self.refuse(node)

    def value_sql(self, op, kind: str | None) -> sql.Composable:
        if op[0] == "col":
            return op[1]
        v = op[1]
        self.params.append(v)
        if kind in ("time", "date") and isinstance(v, str):
            self.params[-1] = _timestamp(v, "date").to_pydatetime()
            return sql.SQL("%s::timestamp")
        if isinstance(v, bool) and kind == "number":
            self.params[-1] = float(v)
            return sql.SQL("%s::float8")
        if isinstance(v, bool):
            return sql.SQL("%s::bool")
        if isinstance(v, (int, float)):
            return sql.SQL("%s::float8")
        return sql.SQL("%s::text")

    @staticmethod
    def _lit_kind(v: Any) -> str:
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, (int, float)):
            return "number"
        return "text"

    @staticmethod
    def _compatible(col_kind: str, lit_kind: str) -> bool:
        if col_kind in ("time", "date"):
            return lit_kind == "text"
        if col_kind == "other":
            return lit_kind == "text"
        if col_kind == "bool":
            return lit_kind == "bool"
        return col_kind == lit_kind or (col_kind == "number" and lit_kind == "bool")

    def compare(self, left, op: ast.cmpop, right, node: ast.AST) -> sql.Composable:
        if isinstance(op, (ast.In, ast.NotIn)):
            if left[0] != "col" or right[0] != "list":
                raise self.refuse(node)
            _, col, kind = left
            vals = [v for v in right[1] if self._compatible(kind, self._lit_kind(v))]
            if kind == "number":
                arr, cast = [float(v) for v in vals], "float8"
            elif kind == "bool":
                arr, cast = [bool(v) for v in vals], "bool"
            elif kind in ("time", "date"):
                arr, cast = [_timestamp(v, "date").to_pydatetime() for v in vals], "timestamp"
            else:
                arr, cast = [str(v) for v in vals], "text"
            colsql = sql.SQL("{}::text").format(col) if kind == "other" else col
            self.params.append(arr)
            inner = sql.SQL("{} = ANY(%s::{}[])").format(colsql, sql.SQL(cast))
            if isinstance(op, ast.In):
                return sql.SQL("COALESCE({}, false)").format(inner)
            return sql.SQL("COALESCE(NOT {}, true)").format(inner)
        if type(op) not in _CMP:
            raise self.refuse(node)
        sym = _CMP[type(op)]
        kinds = [o[2] if o[0] == "col" else None for o in (left, right)]
        for o, other in ((left, right), (right, left)):
            if o[0] == "list":
                raise self.refuse(node)
            if o[0] == "lit" and other[0] == "col" and not self._compatible(other[2], self._lit_kind(o[1])):
                # pandas: == between a column and a value of another kind is false, != true;
                # an ordering comparison is an error
                if sym == "=":
                    return sql.SQL("false")
                if sym == "<>":
                    return sql.SQL("true")
                raise FilterError(f"filter expression {self.text!r}: cannot compare "
                                  f"{ast.unparse(node)!r} (a field with a value of another type)")
        ckind = kinds[0] or kinds[1]
        a = self.value_sql(left, ckind)
        b = self.value_sql(right, ckind)
        if left[0] == "col" and left[2] == "other":
            a = sql.SQL("{}::text").format(a)
        if right[0] == "col" and right[2] == "other":
            b = sql.SQL("{}::text").format(b)
        expr = sql.SQL("({} {} {})").format(a, sql.SQL(sym), b)
        if left[0] == "lit" and right[0] == "lit":
            return expr
        return sql.SQL("COALESCE({}, {})").format(expr, sql.SQL("true" if sym == "<>" else "false"))

    def boolean(self, node: ast.AST) -> sql.Composable:
        if isinstance(node, ast.BoolOp):
            joiner = sql.SQL(" AND " if isinstance(node.op, ast.And) else " OR ")
            return sql.SQL("(") + joiner.join([self.boolean(v) for v in node.values]) + sql.SQL(")")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return sql.SQL("(NOT {})").format(self.boolean(node.operand))
        if isinstance(node, ast.Compare):
            parts = []
            left = self.operand(node.left)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.operand(comp)
                parts.append(self.compare(left, op, right, node))
                left = right
            return parts[0] if len(parts) == 1 else sql.SQL("(") + sql.SQL(" AND ").join(parts) + sql.SQL(")")
        if isinstance(node, ast.Name):
            o = self.operand(node)
            if o[2] != "bool":
                raise FilterError(f"filter expression {self.text!r}: the field "
                                  f"{self.names.get(node.id, node.id)!r} "
                                  "is not true/false; compare it with a value")
            return sql.SQL("COALESCE({}, false)").format(o[1])
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sql.SQL("true" if node.value else "false")
        raise self.refuse(node)


def expression_to_sql(text: str, columns: Mapping[str, str]) -> SqlWhere:
    """Translate a pandas-style filter expression (see :data:`SUPPORTED`)."""
    src, names = _preprocess(text.strip())
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        raise FilterError(f"cannot read filter expression {text!r}: {exc.msg}; supported: {SUPPORTED}") from exc
    tr = _Translator(text.strip(), columns, names)
    cond = tr.boolean(tree.body)
    return cond, tr.params
