"""The two ways a cache gets studies: a refresh from the API, or an import of downloaded files."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from mstrials.store import cache
from mstrials.store.ingest import IncomingStudy, RunSummary, RunWriter, incremental_since, run_ingest
from mstrials.sources.ctgov_files import SourceError, read_study_file
from mstrials.sources.ctis_files import looks_like_ctis

if TYPE_CHECKING:
    from mstrials.sources import ctgov_api as api


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
    """Import downloaded studies through the same path as a fetch. Raises SourceError (cache untouched)."""
    summary = RunSummary(source=", ".join(str(path) for path in paths), mode="import")

    def studies(writer: RunWriter) -> Iterator[IncomingStudy]:
        for path in paths:
            summary.pages += 1
            yield from _ctgov_download(Path(path))

    return run_ingest(cache_path, studies, summary, report)


def _ctgov_download(path: Path) -> Iterator[IncomingStudy]:
    """The studies of a ClinicalTrials.gov download; a CTIS file is named as such instead of "not JSON"."""
    try:
        yield from read_study_file(path)
    except SourceError as error:
        # Checked only after a failure: recognising CTIS means parsing the file a second time.
        if looks_like_ctis(path):
            raise SourceError(f"{path.name} is an EU CTIS file; importing CTIS trials is not available yet "
                              "(this version imports ClinicalTrials.gov downloads)") from error
        raise
