"""Trial details (`?nct=NCT…` or `?nct=<CTIS number>`): everything we hold about one trial, with where each
label came from, and links to its record in every registry that lists it."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import app_support
from mstrials.explore import contacts, near_me, participation
from mstrials.explore import trial_detail
from mstrials.markup_safety import REGISTRY_NAMES, is_trial_id, markdown_fragment, registry_of_id, study_url
from mstrials.explore.frame import split_values
from mstrials.labels.eligibility import EXCLUDED, OK, UNKNOWN, EligibilityThemes, quick_check
from mstrials.explore.patient_match import check_trials
from quick_check_answers import explore_answers

QUESTIONS = {"age": "Age", "sex": "Sex", "ms_type": "Type of MS", "edss": "EDSS score", "country": "Country"}
VERDICT_WORDS = {OK: "Fits", EXCLUDED: "Excludes you", UNKNOWN: "Not stated or not answered"}

md = app_support.escape_markdown
SUMMARY_SHOWN_CHARACTERS = 20_000

context = app_support.current()
data = context.data
frame = data.table.frame

asked = (st.query_params.get("nct") or "").strip().upper()
st.title("Trial details")
app_support.show_data_as_of(data)
chosen = st.text_input("Trial number (NCT… or EU CTIS number)", value=asked, placeholder="NCT01234567 or 2022-501332-42-00",
                       help="The ClinicalTrials.gov identifier or the EU CTIS trial number, e.g. from the Explore "
                            "table.").strip().upper()
if chosen != asked and chosen:
    st.query_params["nct"] = chosen
if not chosen:
    st.info("Enter a trial number above, or pick a row on the Explore page.")
    st.stop()
if not is_trial_id(chosen):
    st.warning(f"“{md(chosen[:20])}” is not a trial number: ClinicalTrials.gov numbers look like NCT followed by "
               "8 digits, EU CTIS numbers like 2022-501332-42-00.")
    st.stop()
matches = trial_detail.rows_for_id(frame, chosen)
if matches.empty:
    st.warning(f"{chosen} is not among the multiple sclerosis trials in this cache.")
    st.markdown(f"[Look it up on {REGISTRY_NAMES[registry_of_id(chosen)]}]({study_url(chosen)})")
    st.stop()
trial = matches.iloc[0]
if trial["nct_id"] != chosen:
    st.caption(f"{chosen} is this trial's number in another registry; it is listed here under {trial['nct_id']}.")
chosen = trial["nct_id"]  # the row's key (validated when stored): details, sites and history are kept under it
group_ids = split_values(trial["registry_ids"]) or [chosen]
details = app_support.load_study_details(*app_support.cache_version(data.cache_path), chosen) or {}
study = trial_detail.parse_raw(details.get("raw_json"))

# Registry text: shown through st.text / dataframes, or escaped before it enters our markdown.
st.header(md(trial["title"]) or chosen)
if trial["official_title"] and trial["official_title"] != trial["title"]:
    st.caption("Official title")
    st.text(trial["official_title"])
if not trial["listed"]:
    st.warning("This trial is no longer listed by the registry; the details below are from our last copy.")

enrollment = "not stated" if pd.isna(trial["enrollment"]) else f"{int(trial['enrollment']):,} people"
st.markdown(f"**Status:** {md(trial['status_label'])} · **Phase:** {md(trial['phase_stage'])} · "
            f"**Enrollment:** {enrollment} · **Sites:** {int(trial['n_sites'] or 0):,}")
planned_end = next((day for day in (trial.get("completion_date"), trial.get("primary_completion_date"))
                    if isinstance(day, str) and day), None)
stale_note = trial_detail.stale_status_note(trial["status"], planned_end, data.as_of.data_time())
if stale_note:
    st.warning(md(stale_note), icon=":material/history:")
def date_text(value) -> str:
    return md(value) if isinstance(value, str) and value else "not stated"


st.markdown(
    f"**Start:** {date_text(trial['start_date'])} · **Primary completion:** {date_text(trial['primary_completion_date'])}"
    f" · **Completion:** {date_text(trial['completion_date'])}  \n"
    f"**First posted:** {date_text(trial['first_posted'])} · **Last update:** {date_text(trial['last_update'])}"
)
others = trial_detail.collaborators(study) or split_values(trial["collaborators"])
st.markdown(
    f"**Sponsor:** {md(trial['sponsor']) or 'not stated'}  \n"
    f"**Collaborators:** {md(', '.join(others)) if others else 'none listed'}  \n"
    f"**Conditions:** {md(', '.join(split_values(trial['conditions']))) or 'not stated'}  \n"
    f"**Treatments:** {md(', '.join(split_values(trial['interventions']))) or 'not stated'}"
)
links = trial_detail.registry_links(trial["registry_ids"]) or trial_detail.registry_links(chosen)
other_numbers = [i for i in group_ids if i not in {trial_id for _, trial_id, _ in links}]
st.markdown("**Registered in:** " + " · ".join(f"{name} ({trial_id})" for name, trial_id, _ in links)
            + (f" · also known as {md(', '.join(other_numbers))}" if other_numbers else ""))
for column, (name, trial_id, url) in zip(st.columns(max(len(links), 1)), links):
    column.link_button(f"Open on {name}", url, icon=":material/open_in_new:", help=f"The record {trial_id} as {name} shows it")
for other in split_values(trial["possibly_same"]):
    if is_trial_id(other):  # an id we validated; the link is built by us
        st.info(f"Possibly the same trial as {other} ({REGISTRY_NAMES[registry_of_id(other)]}): the titles are "
                "very close, but no shared number links the two records, so they are listed apart.",
                icon=":material/join_inner:")
        st.page_link("views/trial.py", label=f"Open {other}", icon=":material/description:", query_params={"nct": other})

summary = trial_detail.brief_summary(study)
if summary:
    with st.expander("Brief summary (from the registry)"):
        st.text(summary[:SUMMARY_SHOWN_CHARACTERS] + ("…" if len(summary) > SUMMARY_SHOWN_CHARACTERS else ""))

st.header("How the treatment is meant to work")
catalogue = context.catalogue
evidence = dict(trial_detail.evidence_rows(details.get("mechanism_evidence_json")))
# As wrapped text rather than a table: the explanations are sentences, which a table cuts off on a phone.
mechanism_keys = split_values(trial["mechanisms"])
for key in mechanism_keys:
    why = evidence.get(key) or details.get("mechanism_evidence")
    label, group = catalogue.label(key), catalogue.group_of(key)
    st.markdown(
        f"**{md(label)}**" + (f" ({md(group)})" if group and group != label else "") + "  \n"
        f"{md(catalogue.explanation(key) or 'No explanation yet.')}"
        + (f"  \n*Why we gave this label:* {md(why)}" if why else "")
    )
if not mechanism_keys:
    st.write("No mechanism label.")
st.caption("Labels are given automatically from the treatments the registry lists; check them against the record.")

st.header("What taking part involves")
for question, fact in participation.taking_part(study).items():
    line = f"**{md(question)}:** {md(fact.answer)}"
    if fact.stated:
        line += f"  \n*From {md(fact.where or 'the record')}:* “{md(fact.source)}”"
    st.markdown(line)
st.caption("Read from the trial's design and arms as the registry lists them; the study team can tell you more.")

st.header("Who can take part")
themes = EligibilityThemes.from_json(details.get("eligibility_json"))
criteria = trial_detail.criteria_text(study)
answers = explore_answers()
if answers is not None:
    result = quick_check(themes, answers.as_person(), trial_countries=split_values(trial["countries"]))
    st.markdown("**Your quick check** (from the answers on the Explore page)")
    st.dataframe(pd.DataFrame([
        {"Question": QUESTIONS.get(check.theme, check.theme), "Result": VERDICT_WORDS[check.verdict],
         "Why": check.message} for check in result.checks]), hide_index=True, width="stretch")
    # The same overall answer as the trial's card and row on Explore (which also read the trial's conditions
    # and title when the criteria name no MS type, and only the questions answered).
    overall = check_trials(matches.iloc[:1], answers).iloc[0]
    st.markdown(f"**Overall:** {md(overall['explanation'])}")
st.markdown("**What the eligibility criteria say**" + (" (the numbers point to the highlighted sentences below)"
                                                       if themes.sources else ""))
shown, cut = trial_detail.criteria_excerpt(criteria) if criteria else ("", False)
source_spans = [(source.start, source.end) for source in themes.sources]
# The table cites the highlights as numbered in the text shown below, so every number can be found there.
_, citation_numbers = trial_detail.merged_highlights(source_spans, len(shown))
eligibility = trial_detail.eligibility_table(themes, citation_numbers)
st.dataframe(eligibility, hide_index=True, width="stretch", height=36 * (len(eligibility) + 1) + 2,
             column_config={"Source": st.column_config.TextColumn("Source", width="small",
                                                                 help="Numbers of the highlighted sentences below")})


def highlighted_criteria(text: str, spans: list[tuple[int, int]]) -> str:
    """The criteria as our own markdown: every registry character escaped, highlights numbered, one pass."""
    lines = []
    for line in trial_detail.highlight_lines(text, spans):
        pieces = []
        for position, segment in enumerate(line):
            escaped = markdown_fragment(trial_detail.registry_unescape(segment.text), at_line_start=position == 0)
            if segment.mark is None:
                pieces.append(escaped)
                continue
            # A number as well as a colour, so the highlight reads without colour too.
            pieces.append((f"**\\[{segment.mark}\\]** " if segment.opens_mark else "") + highlight_piece(escaped))
        lines.append("".join(pieces))
    return "  \n".join(lines)


def highlight_piece(escaped: str) -> str:
    # An escaped square bracket could still end the highlight early, so brackets stay outside it.
    parts = re.split(r"(\\[\[\]])", escaped)
    return "".join(part if part in ("\\[", "\\]") else f":orange-background[{part}]" if part.strip(" \u00a0") else part
                   for part in parts)


if criteria:
    with st.expander("Full eligibility criteria (from the registry)" if not cut else
                     "Eligibility criteria (from the registry, first part)", expanded=True):
        st.markdown(highlighted_criteria(shown, source_spans))
        if cut:
            st.markdown(f"The criteria text is {len(criteria):,} characters long; this page shows the first "
                        f"{len(shown):,}. [Read the full criteria on {REGISTRY_NAMES[registry_of_id(chosen)]}]({study_url(chosen)})")
else:
    st.info(f"The criteria are not in this copy of the registry data: read them on {REGISTRY_NAMES[registry_of_id(chosen)]} "
            f"([{chosen}]({study_url(chosen)})).", icon=":material/info:")

st.header("What the trial measures")
outcomes = trial_detail.outcome_measures(study)
if outcomes.empty:
    st.caption("No outcome measures in the registry data we hold.")
else:
    st.dataframe(outcomes.rename(columns={"kind": "Kind", "measure": "Measure", "time_frame": "Time frame",
                                          "themes": "Themes"}), hide_index=True, width="stretch")

st.header("Where")
sites = app_support.trial_sites(data, chosen, study)
if sites.empty:
    st.caption("No sites listed.")
else:
    placed = sites.dropna(subset=["lat", "lon"])
    if not placed.empty:
        # A fixed, wide zoom: one site alone would otherwise fill the whole map.
        st.map(placed, latitude="lat", longitude="lon", size=8000, zoom=3 if len(placed) < 3 else None, height=320)
    unplaced = len(sites) - len(placed)
    if unplaced:
        st.caption(f"{unplaced} of {len(sites)} sites could not be placed on the map.")
    # A site the registry gives by country only (CTIS) has no facility, city or state: blank, not "None".
    st.dataframe(sites[["facility", "city", "state", "country", "status_label", "placed_by"]].fillna("").rename(columns={
        "facility": "Site", "city": "City", "state": "State", "country": "Country", "status_label": "Site status",
        "placed_by": "Map position from"}), hide_index=True, width="stretch")

st.header("Who to contact")
near = getattr(context, "near", None)
trial_contacts = contacts.study_contacts(study, near.place if near is not None else None)


def contact_markdown(person: contacts.Contact) -> str:
    """A contact in words; phone and e-mail become links only when we validated them (built by us)."""
    who = md(person.name or ("Contact" if person.note else "Unnamed contact")) + (f" ({md(person.role)})" if person.role else "")
    parts = [who]
    if person.phone:
        parts.append(f"[{md(person.phone)}]({person.phone_href})" if person.phone_href else md(person.phone))
    if person.email:
        parts.append(f"[{md(person.email)}]({person.email_href})" if person.email_href else md(person.email))
    if person.note:
        parts.append(f"the registry notes: {md(person.note)}")
    return " · ".join(parts)


if not trial_contacts.any:
    st.caption(f"The record in this copy names no contacts: see the trial on {REGISTRY_NAMES[registry_of_id(chosen)]}.")
else:
    for person in trial_contacts.central:
        st.markdown("- " + contact_markdown(person))
    with_contacts = [site for site in trial_contacts.sites if site.contacts]
    if with_contacts:
        heading = "Site contacts, nearest first" if near is not None else "Site contacts"
        counted = (f"{len(with_contacts)} sites" if len(with_contacts) == len(trial_contacts.sites)
                   else f"{len(with_contacts)} of {len(trial_contacts.sites)} sites name a contact")
        with st.expander(f"{heading} ({counted})", expanded=near is not None):
            for site in with_contacts[:50]:
                distance = ""
                if site.distance_km is not None and near is not None:
                    distance = f" — {near_me.from_km(site.distance_km, near.units):,.0f} {near.units}"
                st.markdown(f"**{md(site.where())}**{distance}  \n" +
                            "  \n".join(contact_markdown(person) for person in site.contacts))
    plain = "\n".join([person.as_text() for person in trial_contacts.central] +
                       [f"{site.where()}: " + "; ".join(p.as_text() for p in site.contacts)
                        for site in with_contacts])
    st.download_button("Contacts as plain text", data=plain, file_name=f"{chosen}-contacts.txt",
                       mime="text/plain", icon=":material/download:", on_click="ignore")

st.header("History")
changes = app_support.load_changes(*app_support.cache_version(data.cache_path))
mine = changes[changes["nct_id"].isin(group_ids)]  # the history of each registry's record
if mine.empty:
    st.caption("No recorded changes.")
else:
    # A day, as on the Changes page: the run's raw timestamp with seconds and zone helps nobody.
    st.dataframe(mine[["when", "change", "before", "after"]].rename(columns={
        "when": "When", "change": "Change", "before": "Before", "after": "After"}), hide_index=True,
        width="stretch", column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY")})
st.caption(":material/medical_information: " + app_support.DISCLAIMER)
