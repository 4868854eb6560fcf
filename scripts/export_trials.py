#!/usr/bin/env python3
"""Export the cached MS studies, one row per study, as CSV or JSON (lists joined with "|").

Exit codes: 0 ok, 1 no usable cache, 2 usage error.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from mstrials import settings
from mstrials.cache import CacheError, connect_readonly
from mstrials.export import export_rows, write_csv, write_json, write_replacing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", help=f"cache file (default: ${settings.CACHE_ENV_VAR} or {settings.DEFAULT_CACHE_PATH})")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--output", default="-", help="file to write, or - for standard output (default)")
    args = parser.parse_args(argv)
    cache_path = settings.cache_path(args.cache)
    try:
        connection = connect_readonly(cache_path)
    except CacheError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write = write_csv if args.format == "csv" else write_json
    try:
        if args.output == "-":
            count = write(export_rows(connection), sys.stdout)
        else:
            count = write_replacing(Path(args.output), lambda out: write(export_rows(connection), out))
    except sqlite3.DatabaseError as error:
        print(f"error: the cache at {cache_path} cannot be read ({error}); nothing was exported", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    print(f"exported {count} MS studies", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
