"""`make bench` runs every benchmark; `make bench NAME=customer_list` runs one."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "customer_list",
    "history",
    "requests",
    "exports",
    "retention",
    "messaging",
    "checkout",
    "imports",
    "forms",
)
# Run by name only (`make bench NAME=profile`): a breakdown, not a measure against a baseline.
ON_REQUEST = ("profile", "http", "plans")
# `import` is a Python keyword: the import benchmark's module is `imports`.
ALIASES = {"import": "imports"}


def main(argv: list[str]) -> None:
    names = [ALIASES.get(name, name) for name in argv] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS + ON_REQUEST]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS + ON_REQUEST)}")
    for name in names:
        print(f"# benchmark {name}", flush=True)
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
