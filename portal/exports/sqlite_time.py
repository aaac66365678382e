"""Local time in SQL for SQLite, which knows no time zones: the zone's UTC offset changes since
1970 (from zoneinfo) become a nested CASE that picks the offset in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from portal.models.base import utcnow

# The zone is probed every few days and each change narrowed to the minute. Two changes of one
# zone since 1970 lie at least six days apart (Brazil, October 2000, the closest in tzdata), so
# a three-day step cannot step over a change and its reversal; one day would cost three times
# as much for nothing.
PROBE_STEP = timedelta(days=3)


@lru_cache(maxsize=16)
def _utc_offset_changes(zone_name: str, until_year: int) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The zone's UTC offset on 1 January 1970 in minutes, and every change since, oldest first:
    (UTC moment as SQLite stores it, offset in minutes from then on)."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    probe = datetime(1970, 1, 1, tzinfo=UTC)
    end = datetime(until_year + 1, 1, 1, tzinfo=UTC)
    first = current = offset(probe)
    changes = []
    while probe < end:
        following = probe + PROBE_STEP
        if offset(following) != current:
            low, high = probe, following  # the change lies in (low, high]: narrow it to the minute
            while high - low > timedelta(minutes=1):
                middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            current = offset(high)
            changes.append((high.strftime("%Y-%m-%d %H:%M:%S"), current))
        probe = following
    return first, tuple(changes)


def sqlite_local_datetime(expr: str, zone: ZoneInfo) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the zone, NULL for NULL. The offset in force is found among the
    zone's changes by a nested CASE that halves the range at each level (seven comparisons for
    Berlin's hundred changes since 1970), then applied as a modifier; datetime() is cheaper
    than strftime()."""
    first, changes = _utc_offset_changes(str(zone), utcnow().year + 1)
    offsets = [first] + [minutes for _moment, minutes in changes]

    def segment(low: int, high: int) -> str:
        """The offset for a time known to lie in segments low..high (segment k starts at change k)."""
        if low == high:
            return f"'{offsets[low]:+d} minutes'"
        middle = (low + high + 1) // 2
        return (
            f"CASE WHEN {expr} >= '{changes[middle - 1][0]}' THEN {segment(middle, high)} "
            f"ELSE {segment(low, middle - 1)} END"
        )

    # NULLs (never imported, never visited) skip the search.
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE datetime({expr}, {segment(0, len(changes))}) END"
