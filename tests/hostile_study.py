"""A study with every string field poisoned, and a hostile page address, for the rendering tests."""
from __future__ import annotations

import re

from study_factory import make_study

HOSTILE_HOST = "evil.example"
HOSTILE_NCT = "NCT00000066"


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


OUR_LINK = re.compile(r"\]\((https://clinicaltrials\.gov/study/NCT[0-9]{8})\)")


def markup_problems(markdown_source: str) -> list[str]:
    """What in a markdown source could become live markup from outside text (empty when all is inert)."""
    live = structure(markdown_source)
    problems = []
    for target in re.findall(r"\]\(([^)]*)\)?", live):
        if not re.fullmatch(r"https://clinicaltrials\.gov/study/NCT[0-9]{8}", target):
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
