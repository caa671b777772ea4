from datetime import UTC, datetime

import pytest

from masthead.articles.dates import DatelineError, dateline_text, parse_dateline


def test_seed_dateline_round_trips():
    published, updated, place = parse_dateline(
        "October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow"
    )
    assert published == datetime(2021, 10, 7, 16, 1, tzinfo=UTC)
    assert updated == published
    assert place == "Moscow"
    assert (
        dateline_text(published, updated, place)
        == "October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow"
    )


def test_no_update_and_midnight_noon():
    published, updated, place = parse_dateline("November 02, 2026 12:05 am IST - Pune")
    assert updated is None
    assert published.astimezone(UTC) == datetime(2026, 11, 1, 18, 35, tzinfo=UTC)
    assert dateline_text(published, None, place) == "November 02, 2026 12:05 am IST - Pune"
    noon, _, _ = parse_dateline("November 02, 2026 12:05 pm IST - Pune")
    assert noon.hour == 12


def test_update_on_another_day_prints_the_date():
    published = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    updated = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert (
        dateline_text(published, updated, "Delhi")
        == "March 01, 2026 09:30 am | Updated March 02, 2026 09:30 am IST - Delhi"
    )


def test_other_zone_in_line_is_honoured():
    published, _, _ = parse_dateline("March 05, 2026 10:00 am GMT - London")
    assert published.astimezone(UTC).hour == 10


@pytest.mark.parametrize(
    "line",
    [
        "Not a date at all",
        "February 30, 2026 09:31 pm IST - Nowhere",
        "October 07, 2021 13:31 pm IST - X",
        "Smarch 07, 2021 09:31 pm",
    ],
)
def test_bad_datelines_raise(line):
    with pytest.raises(DatelineError):
        parse_dateline(line)
