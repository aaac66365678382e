"""The bare route for the HTTP benchmark, served by gunicorn like the portal: Flask and Jinja
rendering a 50-row table padded to the portal pages' median size (BENCH_BARE_PAD bytes)."""

from __future__ import annotations

import os

from bench.harness import bare_app

app = bare_app(50, int(os.environ.get("BENCH_BARE_PAD", "0")))
