"""Counted attempts (passwords, PINs, two-factor codes, password resets, public requests) in
fixed windows, kept in Redis so every web process counts together (`limits`' counters).

The portal judges an attempt where it happens — a wrong PIN counts, a right one does not — and
has no limits on routes. Flask-Limiter, which held these counters before, checked its empty
list of route limits in every request (a tenth of a millisecond of each page) and brought
asyncio along into every process."""

from __future__ import annotations

from flask import Flask, current_app
from limits import RateLimitItem
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


class Attempts:
    """`test` whether a key may try again, `hit` to count a try (False when over the limit);
    the counters of the app in force (its RATELIMIT_STORAGE_URI, by default its Redis)."""

    def init_app(self, app: Flask) -> None:
        uri = app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
        app.extensions["portal.attempts"] = FixedWindowRateLimiter(storage_from_string(uri))

    @staticmethod
    def _counters() -> FixedWindowRateLimiter:
        return current_app.extensions["portal.attempts"]

    def test(self, limit: RateLimitItem, *keys: str) -> bool:
        return self._counters().test(limit, *keys)

    def hit(self, limit: RateLimitItem, *keys: str) -> bool:
        return self._counters().hit(limit, *keys)


attempts = Attempts()
