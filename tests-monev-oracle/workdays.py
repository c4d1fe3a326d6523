"""Working days and deadlines (SPEC §5), written from the SPEC's words for the monev oracle.

- A working day is a weekday of the jurisdiction's calendar that is not a holiday.
- due(t, n): the end (23:59:59 local time) of the n-th working day after the local date of t.
- Elapsed working time between two instants: only the parts of the interval that fall on working days count,
  in days of 24 h.

Instants are whole milliseconds since 1970-01-01 UTC (int). Deliberately simple: day by day, with the standard
library's zoneinfo for local time.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MS_PER_DAY = 86_400_000
UTC = dt.timezone.utc


class WorkCalendar:
    def __init__(self, time_zone: str, weekdays: set[int], holidays: set[dt.date]):
        self.zone = ZoneInfo(time_zone)
        self.weekdays = weekdays  # ISO: 1 = Monday … 7 = Sunday
        self.holidays = holidays

    def local_date(self, ms: int) -> dt.date:
        return dt.datetime.fromtimestamp(ms / 1000, UTC).astimezone(self.zone).date()

    def is_working_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def start_of_day(self, day: dt.date) -> int:
        """The instant (ms) of local midnight at the start of `day`."""
        local = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone)
        return int(local.astimezone(UTC).timestamp()) * 1000

    def end_of_day(self, day: dt.date) -> int:
        """23:59:59 local time of `day` (one second before the next day starts)."""
        return self.start_of_day(day + dt.timedelta(days=1)) - 1000

    def due(self, start_ms: int, n: int) -> int:
        day = self.local_date(start_ms)
        found = 0
        while found < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                found += 1
        return self.end_of_day(day)

    def elapsed_working_days(self, from_ms: int, to_ms: int) -> float:
        if to_ms <= from_ms:
            return 0.0
        total_ms = 0
        day = self.local_date(from_ms)
        last = self.local_date(to_ms)
        while day <= last:
            if self.is_working_day(day):
                begin = self.start_of_day(day)
                end = self.start_of_day(day + dt.timedelta(days=1))
                total_ms += max(0, min(to_ms, end) - max(from_ms, begin))
            day += dt.timedelta(days=1)
        return total_ms / MS_PER_DAY
