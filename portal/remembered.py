"""Counts a page only shows beside its real work — the overview's customer total, per channel
how many customers it reaches and how many agreed, and the requests of each of the last twelve
months: counted at most once a minute per salon and kept in Redis. A salon with 100,000
customers would otherwise count them on every visit of the overview; these numbers are exact
again within the minute. Redis unreachable: counted, as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from redis.exceptions import RedisError

from portal.tasks import redis_connection

T = TypeVar("T")
SECONDS = 60


def remembered(account_id: int, name: str, compute: Callable[[], T], seconds: int = SECONDS) -> T:
    key = f"remembered:{account_id}:{name}"
    try:
        kept = redis_connection().get(key)
    except RedisError:
        return compute()
    if kept is not None:
        return json.loads(kept)
    value = compute()
    try:
        redis_connection().set(key, json.dumps(value), ex=seconds)
    except RedisError:
        pass
    return value
