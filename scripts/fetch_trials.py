#!/usr/bin/env python3
"""Fetch multiple sclerosis trials from ClinicalTrials.gov and the EU's CTIS into the local cache, or import downloads.

Each registry is fetched in its own run: when one fails, the other's results still land and the
failed registry's trials stay as they were in the cache.
Exit codes: 0 ok, 1 failed (the previous cache, or the failed registry's part of it, is left exactly
as it was), 2 usage error.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tqdm import tqdm

from mstrials.sources import ctgov_api as api
from mstrials.sources import ctis_api
from mstrials import settings
from mstrials.markup_safety import REGISTRY_NAMES
from mstrials.store.cache import CacheError, connect_readonly, last_api_run, read_meta, staged_copy
from mstrials.labels.derive import derivation_signature
from mstrials.store.ingest import RunSummary, SuddenDrop, rederive_if_stale
from mstrials.store.refresh import import_files, refresh_ctis_from_api, refresh_from_api
from mstrials.sources.ctgov_files import SourceError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", help=f"cache file (default: ${settings.CACHE_ENV_VAR} or {settings.DEFAULT_CACHE_PATH})")
    parser.add_argument("--registry", choices=("ctgov", "ctis", "all"),
                        help="which registry to fetch: ClinicalTrials.gov, the EU's CTIS, or both (default)")
    parser.add_argument("--base-url", help=f"ClinicalTrials.gov API root (default: ${settings.API_ENV_VAR} or {settings.DEFAULT_API_BASE_URL})")
    parser.add_argument("--ctis-base-url",
                        help=f"CTIS public API root (default: ${settings.CTIS_API_ENV_VAR} or {settings.DEFAULT_CTIS_BASE_URL})")
    parser.add_argument("--from-file", nargs="+", type=Path, metavar="PATH",
                        help="import downloaded studies (JSON array, API page, JSON Lines, zip; .gz ok) instead of fetching")
    parser.add_argument("--full", action="store_true", help="fetch everything from ClinicalTrials.gov, not only recent updates "
                             "(CTIS is always listed in full)")
    parser.add_argument("--accept-removals", action="store_true",
                        help="let a full fetch mark more than 10%% of the listed MS trials as no longer listed")
    parser.add_argument("--reclassify", action="store_true",
                        help="only re-derive labels and eligibility themes of stored studies if the vocabulary "
                             "or the code changed since they were made (no network)")
    parser.add_argument("--if-older-than", type=float, metavar="HOURS",
                        help="fetch only when the last fetch from the registry is older than this (else do nothing)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each response (default 60)")
    parser.add_argument("--retries", type=int, default=5, help="retries on 429, 5xx, timeouts, lost connections")
    parser.add_argument("--backoff", type=float, default=2.0, help="exponential backoff factor in seconds")
    parser.add_argument("--deadline", type=float, default=100.0,
                        help="seconds one request may take in all, retries and waits included (default 100)")
    args = parser.parse_args(argv)
    if args.registry is not None and (args.from_file or args.reclassify):
        parser.error("--registry applies to fetching; imports recognise each file's registry by its content")
    if args.from_file and args.full:
        parser.error("--full applies to fetching, not to --from-file")
    if args.reclassify and (args.from_file or args.full):
        parser.error("--reclassify works on the stored studies alone; use it without --from-file and --full")
    if args.if_older_than is not None and (args.from_file or args.reclassify or args.if_older_than < 0):
        parser.error("--if-older-than takes a number of hours and applies to fetching only")
    if args.accept_removals and args.from_file:
        parser.error("--accept-removals applies to fetching; imports never mark trials as no longer listed")
    if args.min_interval < 0 or args.timeout <= 0 or args.retries < 0 or args.backoff < 0 or args.deadline <= 0:
        parser.error("--min-interval, --retries and --backoff must not be negative, "
                     "--timeout and --deadline must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache_path = settings.cache_path(args.cache)

    def report(message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    try:
        if args.reclassify:
            return reclassify(cache_path, args.quiet)
        if not args.from_file:
            return fetch_registries(args, cache_path, report)
        summary = import_files(cache_path, args.from_file, report=report)
    except (api.ApiError, SourceError, CacheError, SuddenDrop) as error:
        print(f"error: {error}; the cache at {cache_path} was left as it was", file=sys.stderr)
        return 1
    except (sqlite3.Error, OSError) as error:  # the cache file misbehaving outside a staged run
        print(f"error: cannot use the cache at {cache_path} ({error}); it was left as it was", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\ninterrupted; the cache at {cache_path} was left as it was", file=sys.stderr)
        return 1
    print(f"{summary.mode}: {summary.line()} → {cache_path}")
    return 0


def fetch_registries(args: argparse.Namespace, cache_path: Path, report) -> int:
    """Fetch each chosen registry in its own atomic run, with one line per registry; 1 if any failed."""
    chosen = ("ctgov", "ctis") if args.registry in (None, "all") else (args.registry,)
    failed = []
    for registry in chosen:
        name = REGISTRY_NAMES[registry]
        if args.if_older_than is not None and fetched_within(cache_path, args.if_older_than, registry):
            if not args.quiet:
                print(f"{name}: the last fetch is less than {args.if_older_than:g} hours old; nothing to do")
            continue
        try:
            summary = fetch(args, cache_path, report) if registry == "ctgov" else fetch_ctis(args, cache_path, report)
        except (api.ApiError, SuddenDrop) as error:
            failed.append(name)
            print(f"error: {name}: {error}; its trials in the cache at {cache_path} were left as they were",
                  file=sys.stderr)
            continue
        print(f"{name} {summary.mode}: {summary.line()} → {cache_path}")
    if failed and len(chosen) > 1 and len(failed) < len(chosen):
        print(f"error: only part of the fetch succeeded: {', '.join(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


def fetched_within(cache_path: Path, hours: float, registry: str = "ctgov") -> bool:
    """Whether the cache's last fetch from `registry` finished less than `hours` ago."""
    if not cache_path.exists():
        return False
    connection = connect_readonly(cache_path)
    try:
        run = last_api_run(connection, registry)
    except sqlite3.DatabaseError as error:
        raise CacheError(f"{cache_path} cannot be read ({error})") from error
    finally:
        connection.close()
    if run is None:
        return False
    finished = datetime.fromisoformat(run.finished_at)
    return datetime.now(timezone.utc) - finished < timedelta(hours=hours)


def reclassify(cache_path: Path, quiet: bool) -> int:
    if not cache_path.exists():
        raise CacheError(f"no trial cache at {cache_path}")
    try:
        connection = connect_readonly(cache_path)
    except CacheError:
        up_to_date = False  # another format: the staged copy migrates an older one (and refuses a newer)
    else:
        try:
            up_to_date = read_meta(connection, "derivation_signature") == derivation_signature()
        except sqlite3.DatabaseError as error:
            raise CacheError(f"{cache_path} cannot be read ({error})") from error
        finally:
            connection.close()
    if up_to_date:
        if not quiet:
            print("labels are up to date")
        return 0
    with staged_copy(cache_path) as connection:
        count = rederive_if_stale(connection)
    print(f"re-labelled {count} MS studies in {cache_path}")
    return 0


def _manners(args: argparse.Namespace) -> dict:
    """The politeness, retry and waiting options, the same for every registry."""
    return dict(timeout_seconds=args.timeout, min_interval_seconds=args.min_interval, retries=args.retries,
                backoff_factor=args.backoff, deadline_seconds=args.deadline)


def fetch_ctis(args: argparse.Namespace, cache_path: Path, report) -> RunSummary:
    fetch_settings = ctis_api.ctis_settings(settings.ctis_base_url(args.ctis_base_url), **_manners(args))
    with tqdm(desc="CTIS trials", unit=" trials", disable=args.quiet, file=sys.stderr) as progress:
        def on_page(page: ctis_api.CtisPage) -> None:
            if page.total_records is not None:
                progress.total = page.total_records
            progress.update(len(page.trials))

        return refresh_ctis_from_api(cache_path, fetch_settings, accept_removals=args.accept_removals,
                                     on_page=on_page, report=report)


def fetch(args: argparse.Namespace, cache_path: Path, report) -> RunSummary:
    fetch_settings = api.FetchSettings(base_url=settings.api_base_url(args.base_url), **_manners(args))
    with tqdm(desc="studies", unit=" studies", disable=args.quiet, file=sys.stderr) as progress:
        def on_page(page: api.StudyPage) -> None:
            if page.total_count is not None:
                progress.total = page.total_count
            progress.update(len(page.studies))

        return refresh_from_api(cache_path, fetch_settings, full=args.full, accept_removals=args.accept_removals,
                                on_page=on_page, report=report)


if __name__ == "__main__":
    sys.exit(main())
