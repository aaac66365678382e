"""Failed logins per address: a growing delay instead of a lock, so nobody can shut the owner
out by typing wrong passwords on purpose.

Up to LOGIN_LIMIT_PER_ACCOUNT failures (5, each within 10 minutes of the last) a login is
tried freely. From then
on each further try waits 30 s × 2^(failures − 5), at most 15 minutes, after the last failure;
a login with two-factor login does not wait at all — its password alone opens nothing, the
code step has a limit of its own. Reaching the limit is a "locked_out" entry in the login
history and, once per window, a mail to the salon's owners naming how many IP addresses
tried. Counters live in Redis under a keyed hash of the address (`email_key`), the IPs as
keyed hashes too: Redis holds no address and no IP."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from limits import parse

from portal.tasks import redis_connection

_now = time.time  # one clock for the counters (a test moves it instead of waiting)
FIRST_DELAY_SECONDS = 30
LONGEST_DELAY_SECONDS = 15 * 60


def email_key(email: str) -> str:
    return _keyed("login-account:" + email)


def ip_key(ip: str) -> str:
    """An IP as rate-limit key: keyed hash, so Redis holds no IP address (personal data)."""
    return _keyed("ip:" + ip)


def _keyed(text: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:32]


def _policy() -> tuple[int, int]:
    item = parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    return item.amount, item.get_expiry()


def _keys(email: str) -> tuple[str, str, str]:
    key = email_key(email)
    return f"lockout:fails:{key}", f"lockout:last:{key}", f"lockout:ips:{key}"


def failures(email: str) -> int:
    return int(redis_connection().get(_keys(email)[0]) or 0)


def wait_seconds(email: str) -> int:
    """How long this address must wait before the next try (0: it may try now)."""
    limit, _window = _policy()
    redis = redis_connection()
    fails_key, last_key, _ips = _keys(email)
    fails, last = redis.mget(fails_key, last_key)
    fails = int(fails or 0)
    if fails < limit or last is None:
        return 0
    delay = min(FIRST_DELAY_SECONDS * 2 ** (fails - limit), LONGEST_DELAY_SECONDS)
    return max(0, int(float(last) + delay - _now() + 0.999))


def record_failure(email: str, ip: str) -> tuple[int, int]:
    """Count a failed try; returns (failures in the window, distinct IPs that tried)."""
    _limit, window = _policy()
    fails_key, last_key, ips_key = _keys(email)
    pipe = redis_connection().pipeline()
    # The window restarts with each failure: tries ten minutes apart still add up.
    pipe.incr(fails_key)
    pipe.expire(fails_key, window)
    pipe.set(last_key, str(_now()), ex=window)
    pipe.sadd(ips_key, ip_key(ip))
    pipe.expire(ips_key, window)
    pipe.scard(ips_key)
    result = pipe.execute()
    return int(result[0]), int(result[5])


def just_reached_limit(fails: int) -> bool:
    return fails == _policy()[0]


def first_notice_in_window(login_id: int) -> bool:
    """True once per window and login: the owners are told once, not at every try."""
    _limit, window = _policy()
    return bool(redis_connection().set(f"lockout:mailed:{login_id}", "1", nx=True, ex=window))


def clear(*emails: str) -> None:
    """A successful login (or a password reset, or an erasure) ends the count. An erasure
    batch clears thousands of addresses: one DEL per thousand keys, not one round trip each."""
    keys = [key for email in emails for key in _keys(email)]
    for start in range(0, len(keys), 1000):
        redis_connection().delete(*keys[start : start + 1000])
