"""A moment is written as Flask-Babel writes it — the date with its full year, the time without
seconds, in the login's zone — though the zone and language are looked up once per moment."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale, format_date, format_time

from portal.web.templating import format_moment


def test_moments_read_as_flask_babel_writes_them_across_summer_time(app):
    rng = random.Random(7)
    start = datetime(2026, 3, 28, tzinfo=UTC)  # the spring change, then the autumn one
    moments = [start + timedelta(minutes=rng.randint(0, 60 * 24 * 220)) for _ in range(300)]
    moments += [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    moments += [datetime(2026, 12, 6, 20, 8)]  # without zone: UTC
    with app.test_request_context():
        for language in ("de", "en"):
            with force_locale(language):
                for moment in moments:
                    expected = f"{format_date(moment, 'medium')}, {format_time(moment, 'short')}"
                    assert format_moment(moment) == expected, (language, moment)
                    assert format_moment(moment.isoformat()) == expected
            with force_locale("de"):
                assert format_moment(datetime(2026, 12, 6, 19, 8, tzinfo=UTC)) == "06.12.2026, 20:08"


def test_calendar_days_read_as_flask_babel_writes_them(app):
    from datetime import date

    from portal.web.templating import format_day

    days = [date(2026, 1, 1) + timedelta(days=n * 37) for n in range(40)]
    with app.test_request_context():
        for language in ("de", "en"):
            with force_locale(language):
                for day in days:
                    assert format_day(day) == format_date(day, "medium") == format_day(day.isoformat())
                    assert format_day(day, "long") == format_date(day, "long")
                # A moment's day is the day in the login's zone (22:30 UTC is the next day in summer).
                for hour in (0, 21, 22, 23):
                    moment = datetime(2026, 7, 14, hour, 30, tzinfo=UTC)
                    assert format_day(moment) == format_date(moment, "medium")
                    assert format_day(moment.replace(tzinfo=None)) == format_date(moment.replace(tzinfo=None), "medium")


def test_labels_and_moments_follow_force_locale_inside_a_request(app):
    """The one-lookup locale (portal/web/words.py) sees what Flask-Babel's `force_locale` sets
    and restores, as `get_locale()` does — a mail in the customer's language inside a request."""
    from portal.history.display import FIELD_LABELS
    from portal.web.words import current_locale, word

    moment = datetime(2026, 12, 6, 19, 8, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with force_locale("de"):
            assert str(current_locale()) == "de" and word(FIELD_LABELS["phone"]) == "Telefon"
            assert format_moment(moment) == "06.12.2026, 20:08"
        assert str(current_locale()) == "en" and word(FIELD_LABELS["phone"]) == "Phone"
        with force_locale("de"):
            assert word(FIELD_LABELS["phone"]) == "Telefon"
        assert format_moment(moment) == f"{format_date(moment, 'medium')}, {format_time(moment, 'short')}"
