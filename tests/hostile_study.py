"""A study with every string field poisoned, and a hostile page address, for the rendering tests."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from study_factory import make_study

HOSTILE_HOST = "evil.example"
HOSTILE_NCT = "NCT00000066"
HOSTILE_CTIS = "2024-500066-66-00"


def poison(field: str) -> str:
    """Markup of every kind Streamlit's markdown or Plotly's hover could act on, tagged with the field's name."""
    return (f"{field} [Verify your eligibility here](https://{HOSTILE_HOST}/{field}) "
            f"<a href=\"https://{HOSTILE_HOST}/a\">tag</a> <script>alert(1)</script> "
            f"<img src=\"https://{HOSTILE_HOST}/x.png\"> <i>slanted</i> $x^2$ :red[alarm] :skull: "
            f"https://{HOSTILE_HOST}/bare www.{HOSTILE_HOST} someone@{HOSTILE_HOST} %{{customdata}} "
            f"**bold**\r    indented code")


def hostile_study() -> dict:
    study = make_study(
        nct_id=HOSTILE_NCT, title=poison("title"), status=poison("status"), phases=(poison("phase"),),
        conditions=("Multiple Sclerosis, Primary Progressive", poison("condition")),
        interventions=(("DRUG", "Ocrelizumab"), ("DRUG", poison("intervention"))),
        countries=(), start="2024-03", primary_completion="2026-06",
        eligibilityModule={
            "eligibilityCriteria": "Inclusion Criteria:\n\n- Age 18 to 65 years\n- EDSS 3.0 to 6.5\n"
                                   + poison("criteria") + "\n# heading\n> quote\n| a | b |\n1. first\n",
            "minimumAge": "18 Years", "sex": "ALL",
        },
        outcomesModule={"primaryOutcomes": [{"measure": poison("outcome"), "timeFrame": poison("timeframe")}]},
        contactsLocationsModule={"locations": [{
            "facility": poison("facility"), "city": poison("city"), "country": poison("country"),
            "status": "RECRUITING", "geoPoint": {"lat": 48.1, "lon": 11.6},
        }]},
    )
    protocol = study["protocolSection"]
    protocol["designModule"]["studyType"] = poison("studytype")
    protocol["sponsorCollaboratorsModule"] = {
        "leadSponsor": {"name": poison("sponsor"), "class": "OTHER"},
        "collaborators": [{"name": poison("collaborator")}],
    }
    protocol["identificationModule"]["officialTitle"] = poison("officialtitle")
    protocol["descriptionModule"] = {"briefSummary": poison("summary")}
    return study


# The columns of the CTIS portal's CSV export (see ../shared/ctis/PROVENANCE.md), in its order.
CTIS_CSV_COLUMNS = (
    "Trial number", "Protocol code", "Title of the trial", "Overall trial status", "Location(s) and recruitment status",
    "Age group", "Gender", "Number of participants enrolled", "Trial region", "Medical conditions", "Therapeutic area",
    "Trial phase", "Product", "Primary endpoint", "Secondary endpoints", "Decision date", "Start date", "End date",
    "Global end of the trial", "Trial results", "Sponsor/Co-Sponsors", "Sponsor type", "Last updated",
)


def hostile_ctis_row() -> dict[str, str]:
    """A CTIS export row with every free-text cell poisoned (an MS trial of an anti-CD20 brand product)."""
    return {
        "Trial number": HOSTILE_CTIS, "Protocol code": poison("protocol"), "Title of the trial": poison("ctistitle"),
        "Overall trial status": "Ongoing, recruiting",
        "Location(s) and recruitment status": f"Spain:Ongoing, recruiting, {poison('ctiscountry')}:Ended",
        "Age group": "18-64 years", "Gender": "Female, Male", "Number of participants enrolled": "120",
        "Trial region": "Only EEA", "Medical conditions": "Primary progressive multiple sclerosis, " + poison("ctiscondition"),
        "Therapeutic area": poison("area"), "Trial phase": "Therapeutic exploratory (Phase II)",
        "Product": "Ocrevus 300 mg concentrate for solution for infusion, " + poison("product"),
        "Primary endpoint": poison("endpoint"), "Secondary endpoints": poison("secondary"),
        "Decision date": "01/02/2024", "Start date": "01/03/2024", "End date": "N/A", "Global end of the trial": "N/A",
        "Trial results": "No", "Sponsor/Co-Sponsors": poison("ctissponsor"), "Sponsor type": "Pharmaceutical company",
        "Last updated": "01/09/2025",
    }


def write_ctis_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Rows as the portal writes them: UTF-8 with a byte-order mark, every cell quoted."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(CTIS_CSV_COLUMNS), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


# The address someone could be sent: a phishing link in the search words, markup in unknown names and values.
HOSTILE_ADDRESS = {
    "q": f"[Verify your eligibility here](https://{HOSTILE_HOST}/phish)",
    f"[name](https://{HOSTILE_HOST}/name)": f"<img src=https://{HOSTILE_HOST}/v.png>",
    "phase": f"[phase](https://{HOSTILE_HOST}/phase)",
    "scope": f"$x$ :red[scope] https://{HOSTILE_HOST}/scope",
}


def structure(markdown_source: str) -> str:
    """The source with every backslash escape blanked out: what is left is what markdown acts on."""
    return re.sub(r"\\.", "_", markdown_source, flags=re.DOTALL)


def decoded(markdown_source: str) -> str:
    """The text after markdown parsing (escapes resolved): what Streamlit's text plugins then scan."""
    return re.sub(r"\\(.)", r"\1", markdown_source, flags=re.DOTALL)


# Our own links: built by markup_safety.study_url from a validated NCT id or CTIS number.
OUR_LINK_TARGET = (r"https://clinicaltrials\.gov/study/NCT[0-9]{8}"
                   r"|https://euclinicaltrials\.eu/search-for-clinical-trials/\?lang=en&EUCT=[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2}")
OUR_LINK = re.compile(rf"\]\(({OUR_LINK_TARGET})\)")


def markup_problems(markdown_source: str) -> list[str]:
    """What in a markdown source could become live markup from outside text (empty when all is inert)."""
    live = structure(markdown_source)
    problems = []
    for target in re.findall(r"\]\(([^)]*)\)?", live):
        if not re.fullmatch(OUR_LINK_TARGET, target):
            problems.append(f"link to {target!r}")
    if re.search(r"<\s*(a|script|img|i|b|iframe|svg)\b", live, re.IGNORECASE):
        problems.append("raw HTML tag")
    if re.search(r"<https?:", live):
        problems.append("autolink in angle brackets")
    if "$" in live:
        problems.append("maths")
    if re.search(r":(red|blue|green|violet|gray|grey|rainbow|primary|small)(-background)?\[", live):
        problems.append("colour directive")  # the page's own highlights are orange
    text = decoded(markdown_source)
    if re.search(rf"://{re.escape(HOSTILE_HOST)}|www\.{re.escape(HOSTILE_HOST)}|@{re.escape(HOSTILE_HOST)}", text,
                 re.IGNORECASE):
        problems.append("bare URL or e-mail that would autolink")
    if ":skull:" in text:
        problems.append("emoji shortcode")
    for line in live.split("\n"):
        if line.startswith(("    ", "\t")) or "`" in line:
            problems.append(f"code block or span: {line[:40]!r}")
    return problems
