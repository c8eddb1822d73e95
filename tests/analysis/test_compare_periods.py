import pandas as pd
import pytest

from mapdesk.analysis.compare import (
    before_after_periods,
    data_dates,
    default_before_after_days,
    parse_period,
    period_days,
    this_month_periods,
)
from mapdesk.errors import AnalysisError


def test_parse_period():
    assert parse_period("2026-09-01..2026-09-30") == ("2026-09-01", "2026-09-30")
    assert parse_period("..2026-09-30") == ("", "2026-09-30")
    assert parse_period("2026-9-1..") == ("2026-09-01", "")
    for bad in ("2026-09-01", "x..2026-09-01", "2026-09-30..2026-09-01"):
        with pytest.raises(AnalysisError):
            parse_period(bad)
    assert period_days(("2026-09-01", "2026-09-30")) == 30
    assert period_days(("", "2026-09-30")) is None


def test_this_month_same_days_of_last_month():
    assert this_month_periods("2026-10-12") == (("2026-09-01", "2026-09-12"), ("2026-10-01", "2026-10-12"))
    # last month shorter: cut at its end
    assert this_month_periods("2026-03-31") == (("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"))
    # January vs December of the year before
    assert this_month_periods(pd.Timestamp("2027-01-05 17:30")) == (("2026-12-01", "2026-12-05"),
                                                                    ("2027-01-01", "2027-01-05"))


def test_before_after():
    assert before_after_periods("2026-10-10", 7) == (("2026-10-03", "2026-10-09"), ("2026-10-10", "2026-10-16"))
    with pytest.raises(AnalysisError):
        before_after_periods("2026-10-10", 0)
    f = pd.DataFrame({"time": pd.to_datetime(["2026-09-01 10:00", "2026-10-30 23:00"])})
    assert data_dates(f) == (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-30"))
    assert default_before_after_days(f, "2026-10-10") == 21
    assert default_before_after_days(f, "2026-09-05") == 4
    with pytest.raises(AnalysisError, match="no days on both sides"):
        default_before_after_days(f, "2026-09-01")
    with pytest.raises(AnalysisError, match="no dates"):
        data_dates(pd.DataFrame({"time": pd.to_datetime([None, None])}))
