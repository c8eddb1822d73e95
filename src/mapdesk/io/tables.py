"""Reading tables (CSV/TSV/TXT, Excel, JSON records) into a plain DataFrame.

CSV goes through ``pyarrow.csv`` (fast, multi-threaded); anything pyarrow cannot parse
falls back to pandas. The encoding is detected when not given, the delimiter is sniffed
(``,`` ``;`` tab ``|``), and rows with the wrong number of fields are skipped and counted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mapdesk.errors import LoadError
from mapdesk.io.encoding import detect_encoding, normalize_encoding

_HEAD_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """Pick the delimiter that splits the header line most, consistently over the next lines."""
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if not lines:
        return "\t" if suffix == ".tsv" else ","
    best, best_score = ("\t" if suffix == ".tsv" else ","), 0.0
    for d in DELIMITERS:
        n = lines[0].count(d)
        if n == 0:
            continue
        consistent = sum(1 for ln in lines[1:] if ln.count(d) >= n) / max(1, len(lines) - 1)
        score = n * (0.5 + consistent)
        if score > best_score:
            best, best_score = d, score
    return best


def read_head(path: Path, n: int = _HEAD_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def read_csv(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, str, dict[int, str]]:
    """Read a delimited text file.

    Returns ``(frame, encoding, malformed)`` where ``malformed`` maps skipped 1-based data
    row numbers to a short reason.
    """
    head = read_head(path)
    if b"\x00" in head[:65536] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(f"{path.name} is not a text table: it holds binary data (corrupt, or another format "
                        "renamed to .csv?)")
    if encoding is None:
        # Only the head is examined; a stray byte later is caught by the UTF-8 retry below.
        encoding = detect_encoding(head)
    else:
        try:
            encoding = normalize_encoding(encoding)
        except LookupError:
            raise LoadError(f"unknown text encoding {encoding!r}; try utf-8, gbk, gb18030 or cp1252") from None
    text_head = head.decode(encoding, errors="replace")
    delimiter = sniff_delimiter(text_head, path.suffix.lower())
    try:
        frame, malformed = _read_arrow(path, encoding, delimiter)
    except UnicodeDecodeError as exc:
        raise LoadError(_not_text(path, encoding, exc)) from None
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        msg = str(exc)
        if "UTF8" in msg or "utf8" in msg.lower() or "UTF-8" in msg:
            detected = detect_encoding(path.read_bytes())
            if detected in ("utf-8", "utf-8-sig"):
                detected = "cp1252"
            encoding = detected
            try:
                frame, malformed = _read_arrow(path, encoding, delimiter)
            except UnicodeDecodeError as exc2:
                raise LoadError(_not_text(path, encoding, exc2)) from None
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                frame, malformed = _read_pandas(path, encoding, delimiter)
        else:
            frame, malformed = _read_pandas(path, encoding, delimiter)
    return frame, encoding, malformed


def _not_text(path: Path, encoding: str, exc: UnicodeDecodeError) -> str:
    return (f"{path.name} is not valid {encoding} text (byte 0x{bytes(exc.object[exc.start:exc.start + 1]).hex()} cannot be decoded); "
            "give the encoding with --encoding (e.g. utf-8, gbk, cp1252)")


def _read_arrow(path: Path, encoding: str, delimiter: str) -> tuple[pd.DataFrame, dict[int, str]]:
    malformed: dict[int, str] = {}

    def on_invalid(row) -> str:
        # pyarrow numbers rows from 1 including the header line.
        n = (row.number - 1) if row.number is not None and row.number > 0 else len(malformed) + 1
        malformed[n] = f"{row.actual_columns} fields instead of {row.expected_columns}"
        return "skip"

    pa_enc = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=pa_enc, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                         newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    if pa_enc == "utf8" and any(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in table.schema.types):
        # pyarrow reads a text column with invalid UTF-8 as bytes instead of failing.
        raise pa.ArrowInvalid("CSV column is not valid UTF8")
    names = [str(n).lstrip("\ufeff").strip() for n in table.column_names]
    table = table.rename_columns(_dedupe(names))
    for i, t in enumerate(table.schema.types):
        if pa.types.is_date(t):  # else pandas gets Python date objects
            table = table.set_column(i, table.schema.names[i], table.column(i).cast(pa.timestamp("ms")))
    return table.to_pandas(), malformed


def _read_pandas(path: Path, encoding: str, delimiter: str) -> tuple[pd.DataFrame, dict[int, str]]:
    malformed: dict[int, str] = {}
    count = [0]

    def on_bad(line: list[str]) -> None:
        count[0] += 1
        malformed[count[0]] = f"{len(line)} fields"
        return None

    try:
        frame = pd.read_csv(path, sep=delimiter, encoding=encoding, engine="python", on_bad_lines=on_bad,
                            encoding_errors="strict")
    except UnicodeDecodeError as exc:
        raise LoadError(_not_text(path, encoding, exc)) from None
    except pd.errors.EmptyDataError:
        raise LoadError(f"{path.name} has no header line: it is empty") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise LoadError(f"cannot read {path.name} as a delimited table: {exc}") from None
    frame.columns = _dedupe([str(c).lstrip("\ufeff").strip() for c in frame.columns])
    return frame, malformed


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def excel_sheets(path: Path) -> list[str]:
    try:
        with pd.ExcelFile(path) as xl:
            return [str(s) for s in xl.sheet_names]
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise LoadError(f"cannot read {path.name} as an Excel workbook: {exc}") from None


def read_excel(path: Path, sheet: str | None = None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0)
    except ValueError as exc:
        raise LoadError(f"{path.name}: {exc}") from None
    except Exception as exc:
        raise LoadError(f"cannot read {path.name} as an Excel workbook: {exc}") from None
    frame.columns = _dedupe([str(c).strip() for c in frame.columns])
    return frame


def is_json_records(path: Path) -> bool:
    """True for a JSON file holding an array of plain records (not GeoJSON)."""
    head = read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def read_json_records(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    raw = path.read_bytes()
    encoding = encoding or detect_encoding(raw[:_HEAD_BYTES])
    try:
        records = json.loads(raw.decode(encoding))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{path.name} is not valid JSON: {exc}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records[:100]):
        raise LoadError(f"{path.name} is a JSON array but not of records (objects)")
    return pd.DataFrame.from_records(records), encoding
