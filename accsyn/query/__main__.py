"""``python -m accsyn.query QUERY...``: parse, check and print queries canonically."""

from __future__ import annotations

import sys

from accsyn._exceptions import QueryError
from accsyn.query._parser import parse
from accsyn.query._render import render


def main(argv: list[str] | None = None) -> int:
    """Parse each argument and print its canonical form; exit 1 on the first error."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = [
            "Transfer WHERE status<>failed",
            "transfer where ((user=lisa@example.com and destination=hq) or status<>failed) "
            'and code="* backup"',
            "Transfer WHERE status=failed ORDER=2",
        ]
    status = 0
    for text in args:
        print(f"query:     {text}")
        try:
            print(f"canonical: {render(parse(text))}\n")
        except QueryError as exc:
            print(f"error:     {exc}\n")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
