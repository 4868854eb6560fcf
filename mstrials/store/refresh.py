"""The two ways a cache gets studies: a refresh from the API, or an import of downloaded files."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from mstrials.store import cache
from mstrials.store.ingest import IncomingStudy, RunSummary, RunWriter, incremental_since, run_ingest
from mstrials.sources.ctgov_files import read_study_file
from mstrials.sources.ctis_files import ctis_number_of, is_ctis_file, iso_date, latest_resubmissions, read_ctis_file
from mstrials.sources.registries import CTGOV, CTIS

if TYPE_CHECKING:
    from mstrials.sources import ctgov_api as api
    from mstrials.sources import ctis_api


def refresh_from_api(
    cache_path: Path,
    settings: api.FetchSettings,
    full: bool = False,
    accept_removals: bool = False,
    on_page: Callable[[api.StudyPage], None] = lambda page: None,
    report: Callable[[str], None] = lambda message: None,
) -> RunSummary:
    """Fetch MS studies into the cache: everything on the first run or with `full`, else recent updates.

    Raises api.ApiError (cache untouched) when the API cannot be used or its listing is not
    complete (fewer distinct studies than its own totalCount), and ingest.SuddenDrop (cache
    untouched) when a full listing would unlist more than a tenth of the listed MS trials and
    `accept_removals` is not given.
    """
    # Imported here: the HTTP stack costs an offline import a tenth of a second of start-up.
    from mstrials.sources import ctgov_api as api

    summary = RunSummary(source=settings.base_url, mode="full")
    version: dict = {}

    def studies(writer: RunWriter) -> Iterator[IncomingStudy]:
        previous = cache.last_api_run(writer.connection)
        updated_since = None
        if previous is not None and not full:
            summary.mode = "incremental"
            updated_since = incremental_since(previous)
        with api.ApiClient(settings) as client:
            version.update(api.fetch_version(client))
            # fetch_study_pages raises after the last page unless the listing was complete, so a
            # run that gets here has seen every study the registry counts.
            for page in api.fetch_study_pages(client, api.study_query(updated_since)):
                summary.pages += 1
                on_page(page)
                for index, study in enumerate(page.studies, start=1):
                    yield IncomingStudy(f"page {page.number} item {index}", study)

    return run_ingest(cache_path, studies, summary, report, version=version, accept_removals=accept_removals)


def import_files(
    cache_path: Path,
    paths: Sequence[Path],
    report: Callable[[str], None] = lambda message: None,
) -> RunSummary:
    """Import downloaded studies through the same path as a fetch: ClinicalTrials.gov downloads and
    CTIS files (portal CSV export, search answer pages, retrieve records), told apart by content.
    Raises SourceError (cache untouched)."""
    summary = RunSummary(source=", ".join(str(path) for path in paths), mode="import")
    kinds = {CTIS if is_ctis_file(Path(path)) else CTGOV for path in paths}
    summary.registry = "|".join(sorted(kinds))

    def studies(writer: RunWriter) -> Iterator[IncomingStudy]:
        for path in paths:
            summary.pages += 1
            if is_ctis_file(Path(path)):
                yield from ctis_download(Path(path), report)
            else:
                yield from read_study_file(path)

    return run_ingest(cache_path, studies, summary, report)


def ctis_download(path: Path, report: Callable[[str], None]) -> Iterator[IncomingStudy]:
    """The trials of a CTIS file, each at its highest resubmission only (an earlier one is dropped)."""
    items = list(read_ctis_file(path, warn=report))
    kept = set(latest_resubmissions(ctis_number_of(item.study) for item in items))
    for item in items:
        if ctis_number_of(item.study) in kept:
            yield item


def refresh_ctis_from_api(
    cache_path: Path,
    settings: api.FetchSettings,
    accept_removals: bool = False,
    on_page: Callable[[ctis_api.CtisPage], None] = lambda page: None,
    report: Callable[[str], None] = lambda message: None,
) -> RunSummary:
    """Fetch the MS trials CTIS lists into the cache: the whole search listing every time (it is a few
    pages), and the full record of each trial that is new or updated since the stored copy; an
    unchanged trial keeps its stored record. A complete listing marks CTIS trials it no longer holds
    (never ClinicalTrials.gov ones). Raises api.ApiError (cache untouched) when CTIS cannot be used
    or its listing falls short of its own totalRecords."""
    # Imported here, as for refresh_from_api: the HTTP stack is not needed offline.
    from mstrials.sources import ctis_api

    summary = RunSummary(source=settings.base_url, mode="full", registry=CTIS)

    def studies(writer: RunWriter) -> Iterator[IncomingStudy]:
        stored = {
            number: (last_update, raw_json) for number, last_update, raw_json in writer.connection.execute(
                "SELECT nct_id, last_update, raw_json FROM studies WHERE registry = ?", (CTIS,))
        }
        with ctis_api.CtisClient(settings) as client:
            pages = list(ctis_api.fetch_search_pages(client))  # raises unless the listing was complete
            numbers = latest_resubmissions(
                trial.get("ctNumber") for page in pages for trial in page.trials if isinstance(trial, dict))
            for page in pages:
                summary.pages += 1
                on_page(page)
            updated = {trial.get("ctNumber"): iso_date(trial.get("lastUpdated"))
                       for page in pages for trial in page.trials if isinstance(trial, dict)}
            for number in numbers:
                last_update, raw_json = stored.get(number, (None, None))
                if raw_json is not None and last_update and last_update == updated.get(number) and '"authorizedApplication"' in raw_json:
                    yield IncomingStudy(f"CTIS trial {number} (stored copy)", text=raw_json)
                else:
                    yield IncomingStudy(f"CTIS trial {number}", ctis_api.fetch_trial(client, number))

    return run_ingest(cache_path, studies, summary, report, accept_removals=accept_removals)
