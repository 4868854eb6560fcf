#!/usr/bin/env python3
"""Export the cached MS studies, one row per study, as CSV or JSON (lists joined with "|").

With --near "City, Country" [--within 50] [--units mi]: only trials with a site within the
distance, nearest first, with a nearest_site_km (or nearest_site_mi) column.

Exit codes: 0 ok, 1 no usable cache, 2 usage error.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from mstrials import settings
from mstrials.store.cache import CacheError, connect_readonly
from mstrials.store.export import EXPORT_COLUMNS, export_rows, write_csv, write_json, write_replacing
from mstrials.explore.near_me import UNITS, UnknownPlace, distance_column, find_place, load_site_index, near_rows, to_km


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", help=f"cache file (default: ${settings.CACHE_ENV_VAR} or {settings.DEFAULT_CACHE_PATH})")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--output", default="-", help="file to write, or - for standard output (default)")
    parser.add_argument("--near", metavar="PLACE", help='keep trials with a site near "City, Country" and sort by distance')
    parser.add_argument("--within", type=float, metavar="DISTANCE", help="with --near: only sites within this distance")
    parser.add_argument("--units", choices=UNITS, default="km", help="units of --within and of the distance column")
    args = parser.parse_args(argv)
    if args.within is not None and (args.near is None or not args.within > 0):
        parser.error("--within needs --near and a distance above 0")
    place = None
    if args.near is not None:
        try:
            place = find_place(args.near)
        except UnknownPlace as error:
            print(f"error: --near: {error}", file=sys.stderr)
            return 2
    cache_path = settings.cache_path(args.cache)
    try:
        connection = connect_readonly(cache_path)
    except CacheError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    columns = EXPORT_COLUMNS
    rows = export_rows(connection)
    if place is not None:
        within_km = None if args.within is None else to_km(args.within, args.units)
        rows = near_rows(rows, load_site_index(connection), place, within_km, args.units)
        columns = (*EXPORT_COLUMNS, distance_column(args.units))
        if place.note:
            print(f"note: {place.note}", file=sys.stderr)
    write = (lambda items, out: write_csv(items, out, columns)) if args.format == "csv" else write_json
    try:
        if args.output == "-":
            count = write(rows, sys.stdout)
        else:
            count = write_replacing(Path(args.output), lambda out: write(rows, out))
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
