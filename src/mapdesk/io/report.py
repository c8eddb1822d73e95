"""The load report: what was read, what was rejected and why, and what was assumed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas

MAX_EXAMPLES = 5


@dataclass
class LoadReport:
    """Counts and reasons for one layer load; no row is ever dropped without a line here.

    ``rejected_examples`` holds a few 1-based data-row numbers per reason, so a user can
    find the offending rows in the source file.
    """

    source: str
    layer: str | None = None
    total_rows: int = 0
    loaded_rows: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    rejected_examples: dict[str, list[int]] = field(default_factory=dict)
    unparsed_dates: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    crs: str = ""
    datum: str = "wgs84"
    x_column: str | None = None
    y_column: str | None = None

    def reject(self, reason: str, rows) -> None:
        """Count ``rows`` (0-based positions, array-like) as rejected for ``reason``."""
        rows = list(rows)
        if not rows:
            return
        self.rejected[reason] = self.rejected.get(reason, 0) + len(rows)
        ex = self.rejected_examples.setdefault(reason, [])
        ex.extend(int(r) + 1 for r in rows[: max(0, MAX_EXAMPLES - len(ex))])

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def rejected_rows(self) -> int:
        return sum(self.rejected.values())

    def summary(self) -> str:
        """A few human-readable lines."""
        name = self.source + (f" [{self.layer}]" if self.layer else "")
        lines = [f"{name}: {self.loaded_rows} of {self.total_rows} rows loaded"]
        for reason, n in self.rejected.items():
            ex = ", ".join(str(r) for r in self.rejected_examples.get(reason, []))
            lines.append(f"  rejected {n}: {reason}" + (f" (e.g. rows {ex})" if ex else ""))
        for col, n in self.unparsed_dates.items():
            lines.append(f"  {n} value(s) in '{col}' are not dates (kept as empty)")
        for w in self.warnings:
            lines.append(f"  note: {w}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class LoadedLayer:
    """A loaded layer: the frame (original columns + geometry, CRS set) and how it was read."""

    frame: geopandas.GeoDataFrame
    name: str
    source: str
    layer: str | None
    role: str
    field_map: dict[str, str]
    report: LoadReport
