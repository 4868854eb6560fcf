"""The shared sidebar filters, their counts, and their round trip through the page address."""
from __future__ import annotations

import streamlit as st

import app_support
import near_place
import trial_cards
from mstrials.explore import frame as trial_frame
from mstrials.labels.drug_classes import load_drug_classes
from mstrials.markup_safety import REGISTRY_NAMES, plain_label
from mstrials.explore.frame import (
    OPEN_STATUSES, PHASE_LABELS, PHASE_STAGES, RESULTS_CHOICES, SPONSOR_GROUP_LABELS, STATUS_LABELS, STUDY_TYPE_LABELS,
    FilterState, readable_ms_type,
)

# Widget key for each FilterState field; the year range is one slider for two fields.
WIDGET_KEYS = {
    "progressive_only": "f_progressive", "open_only": "f_open", "text": "f_text", "mechanisms": "f_mechanisms",
    "drug_classes": "f_drug_classes", "ms_types": "f_ms_types", "phases": "f_phases", "stages": "f_stages", "statuses": "f_statuses", "study_types": "f_study_types",
    "countries": "f_countries", "sponsor_groups": "f_sponsor_groups", "results": "f_results",
    "accepts_edss": "f_accepts_edss", "registries": "f_registries",
}
EDSS_CHOICES = [None, *(step / 2 for step in range(0, 21))]  # 0 to 10, as the address and the quick check take
YEARS_KEY = "f_years"
ALL_KEYS = (*WIDGET_KEYS.values(), YEARS_KEY)
ADDRESS_PARAMS_OF_PAGES = {"nct", "compare", "view"}  # page-specific parameters the filters leave alone


def keep_filter_state() -> None:
    """Keep the filter values while a page without the sidebar filters is shown.

    Streamlit forgets a widget's value on a run that does not draw it; writing the values back
    into session state at the top of every run keeps them.
    """
    for key in ALL_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    near_place.keep_state()


def _set_widgets(state: FilterState, year_bounds: tuple[int, int]) -> None:
    for field_name, key in WIDGET_KEYS.items():
        value = getattr(state, field_name)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value
    low, high = year_bounds
    start = low if state.start_from is None else min(max(state.start_from, low), high)
    end = high if state.start_to is None else max(min(state.start_to, high), low)
    st.session_state[YEARS_KEY] = (start, end)


LAST_WRITTEN_KEY = "address_last_written"


def _filter_params_in_address() -> dict[str, list[str]]:
    kept = trial_frame.FILTER_PARAMS | set(near_place.NEAR_PARAMS)
    return {name: st.query_params.get_all(name) for name in st.query_params.keys() if name in kept}


def init_from_address(data: app_support.LoadedData, page_name: str) -> tuple[str, ...]:
    """Set the filters from the address on a session's first run, and again whenever the address
    carries filters this app did not write there itself (a link inside the app, such as a Pipeline
    cell's, or the browser's Back button); returns notices about ignored parts. A page change that
    drops the address keeps the filters."""
    if st.session_state.get("filters_initialised"):
        in_address = _filter_params_in_address()
        if not in_address or in_address == st.session_state.get(LAST_WRITTEN_KEY):
            return ()
    st.session_state["filters_initialised"] = True
    params = {name: st.query_params.get_all(name) for name in st.query_params.keys()}
    unknown = sorted(set(params) - trial_frame.FILTER_PARAMS - ADDRESS_PARAMS_OF_PAGES - set(near_place.NEAR_PARAMS))
    allowed = trial_frame.allowed_values(data.table, data.catalogue.mechanisms, load_drug_classes().keys)
    parsed = trial_frame.parse_query_params({k: v for k, v in params.items() if k not in unknown}, allowed)
    _set_widgets(parsed.state, trial_frame.year_bounds(data.table))
    notices = list(parsed.notices)
    near_place.init_from_address(notices)
    view = st.query_params.get(trial_cards.VIEW_PARAM)
    if view is not None and view not in trial_cards.VIEWS:
        notices.append(f"Ignored {trial_cards.VIEW_PARAM}={trial_frame.quoted_address_value(view)} in the address "
                       f"(use {' or '.join(trial_cards.VIEWS)})")
    if unknown:
        notices.append(f"Ignored unknown address parameter(s): {', '.join(unknown)}")
    return tuple(notices)


def state_from_widgets(data: app_support.LoadedData) -> FilterState:
    session = st.session_state
    values = {}
    for field_name, key in WIDGET_KEYS.items():
        value = session.get(key, getattr(FilterState(), field_name))
        values[field_name] = tuple(value) if isinstance(value, list) else value
    low, high = trial_frame.year_bounds(data.table)
    start, end = session.get(YEARS_KEY, (low, high))
    values["start_from"] = None if start <= low else int(start)
    values["start_to"] = None if end >= high else int(end)
    values["text"] = (values.get("text") or "").strip()[: trial_frame.MAX_TEXT_LENGTH]
    return FilterState(**values)


def _reset() -> None:
    data = app_support.load_data()
    if not isinstance(data, str):
        _set_widgets(FilterState(), trial_frame.year_bounds(data.table))
        st.session_state[near_place.PLACE_KEY] = ""


def show_country_instead_of_place(country: str) -> None:
    """Button callback: trade the place for its country, so trials that give only a country show."""
    key = WIDGET_KEYS["countries"]
    chosen = list(st.session_state.get(key, []))
    if country not in chosen:
        chosen.append(country)
    st.session_state[key] = chosen
    st.session_state[near_place.PLACE_KEY] = ""


def context_without_widgets(data: app_support.LoadedData) -> app_support.AppContext:
    state = state_from_widgets(data)
    mask = trial_frame.filter_mask(data.table, state)
    near = near_place.current_query()
    nearest = None
    if near is not None:
        mask, nearest = near_place.narrow(data, mask, near)
    return app_support.AppContext(data=data, state=state, mask=mask, counts=trial_frame.FacetCounts(total=int(mask.sum())),
                                  near=near, nearest=nearest)


def _with_count(label: str, count: int) -> str:
    # Option labels of selectboxes and multiselects are plain text: registry names only lose control characters.
    return f"{plain_label(label)} ({count:,})"


# Typing in a filter finds the options whose label contains the typed text. Streamlit's default fuzzy
# match accepts any letters in order, so "Phase 2" also matched "Phase 4 (after approval) (2)" through
# its count; a count follows " (", so it only matches when someone types the digits themselves.
TYPE_AHEAD = "contains"


def render(data: app_support.LoadedData, notices: tuple[str, ...]) -> app_support.AppContext:
    state = state_from_widgets(data)
    counts = trial_frame.facet_counts(data.table, state)
    catalogue = data.catalogue
    app_support.show_address_notices(notices)
    with st.sidebar:
        st.markdown(f"### Filters · {trial_frame.trials_matching(counts.total)}")
        st.toggle(
            _with_count("Progressive MS only", counts.of("progressive_only", "progressive")),
            key=WIDGET_KEYS["progressive_only"],
            help="On: trials that enrol people with primary or secondary progressive MS. Off: every MS trial "
                 f"({counts.of('progressive_only', 'all'):,} with the other filters).",
        )
        open_count = sum(counts.of("statuses", s) for s in OPEN_STATUSES)
        st.checkbox(_with_count("Recruiting or not yet recruiting", open_count), key=WIDGET_KEYS["open_only"],
                    help="Only trials that are looking, or will soon look, for participants.")
        # No max_chars: the browser then drops a longer paste whole, without a word. The words are cut
        # to the limit when read (state_from_widgets), and the box says so.
        typed = st.text_input("Search titles, conditions and treatments", key=WIDGET_KEYS["text"],
                              placeholder="e.g. ocrelizumab, walking, NCT01234567",
                              help="Every word must appear somewhere in the trial's titles, conditions, keywords or "
                                   f"treatments (up to {trial_frame.MAX_TEXT_LENGTH} characters).")
        if len((typed or "").strip()) > trial_frame.MAX_TEXT_LENGTH:
            st.caption(f"Searching for the first {trial_frame.MAX_TEXT_LENGTH} characters only.")
        near = near_place.render()
        keys = catalogue.ordered_keys()
        keys += [k for k in st.session_state.get(WIDGET_KEYS["mechanisms"], []) if k not in keys]
        st.multiselect(
            "Mechanism (how the treatment is meant to work)", keys, key=WIDGET_KEYS["mechanisms"], filter_mode=TYPE_AHEAD,
            format_func=lambda k: _with_count(f"{catalogue.group_of(k)} › {catalogue.label(k)}", counts.of("mechanisms", k)),
            placeholder="Any mechanism",
            help="Labels are given automatically from the treatments tested. See 'What the mechanisms mean' below.",
        )
        with st.expander("What the mechanisms mean"):
            for group, group_keys in catalogue.groups.items():
                st.markdown(f"**{app_support.escape_markdown(group)}**")
                for key in group_keys:
                    explanation = catalogue.explanation(key) or "No explanation yet."
                    st.markdown(f"- *{app_support.escape_markdown(catalogue.label(key))}*: "
                                f"{app_support.escape_markdown(explanation)}")
        drug_classes = load_drug_classes()
        class_keys = [k for k in drug_classes.keys if k in data.table.members.get("drug_classes", {})]
        class_keys += [k for k in st.session_state.get(WIDGET_KEYS["drug_classes"], []) if k not in class_keys]
        st.multiselect(
            "Drug class (what kind of treatment)", class_keys, key=WIDGET_KEYS["drug_classes"], filter_mode=TYPE_AHEAD,
            format_func=lambda k: _with_count(drug_classes.label(k), counts.of("drug_classes", k)),
            placeholder="Any drug class",
            help="A finer split inside the mechanisms, e.g. BTK inhibitors versus anti-CD20 antibodies. "
                 "Given from the treatments tested (not the comparators); many trials have no listed class.",
        )
        ms_types = sorted(set(data.table.members["ms_types"]) | set(st.session_state.get(WIDGET_KEYS["ms_types"], [])))
        st.multiselect("MS type the trial includes", ms_types, key=WIDGET_KEYS["ms_types"], filter_mode=TYPE_AHEAD, placeholder="Any type",
                       format_func=lambda k: _with_count(readable_ms_type(k), counts.of("ms_types", k)),
                       help="Primary progressive (PPMS): worsening from the start, without relapses. Secondary "
                            "progressive (SPMS): relapses at first, then steady worsening. Relapsing-remitting "
                            "(RRMS): attacks followed by recovery. CIS and RIS are early or possible MS.")
        chosen_types = set(state.ms_types)
        unstated = counts.of("ms_types", "PROGRESSIVE_UNSPECIFIED")
        if chosen_types & {"PPMS", "SPMS"} and "PROGRESSIVE_UNSPECIFIED" not in chosen_types and unstated:
            # Many progressive trials never say which type: choosing PPMS alone would hide them silently.
            st.caption(f"{unstated:,} more trial{'' if unstated == 1 else 's'} take progressive MS without saying "
                       "which type: add “Progressive, type not stated” to see them.")
        st.multiselect("Phase", list(PHASE_LABELS), key=WIDGET_KEYS["phases"], filter_mode=TYPE_AHEAD, placeholder="Any phase",
                       format_func=lambda k: _with_count(PHASE_LABELS[k], counts.of("phases", k)),
                       help="Phase 1 checks safety in few people; phase 2 looks for a signal; phase 3 confirms "
                            "benefit in many people; phase 4 follows approved drugs.")
        if state.stages or st.session_state.get(WIDGET_KEYS["stages"]):
            # Shown only when set (by a Pipeline cell's link): the phase filter above covers everyday use.
            st.multiselect("Phase stage", list(PHASE_STAGES), key=WIDGET_KEYS["stages"], filter_mode=TYPE_AHEAD,
                           placeholder="Any stage", format_func=lambda k: _with_count(k, counts.of("stages", k)),
                           help="A trial's stage exactly, as the Pipeline counts it: “Phase 2” leaves out trials "
                                "registered as phase 1/2 or 2/3.")
        st.multiselect("Recruitment status", list(STATUS_LABELS), key=WIDGET_KEYS["statuses"], filter_mode=TYPE_AHEAD, placeholder="Any status",
                       format_func=lambda k: _with_count(STATUS_LABELS[k], counts.of("statuses", k)))
        study_types = sorted(set(STUDY_TYPE_LABELS) | set(data.table.frame["study_type"].unique()))
        st.multiselect("Study type", study_types, key=WIDGET_KEYS["study_types"], filter_mode=TYPE_AHEAD, placeholder="Any type",
                       format_func=lambda k: _with_count(STUDY_TYPE_LABELS.get(k, k.capitalize()), counts.of("study_types", k)))
        # Keep an earlier choice selectable even when a refreshed cache no longer lists it.
        countries = sorted(set(data.table.values_of("countries")) | set(st.session_state.get(WIDGET_KEYS["countries"], [])))
        st.multiselect("Country with a study site", countries, key=WIDGET_KEYS["countries"], filter_mode=TYPE_AHEAD,
                       placeholder="Any country",
                       format_func=lambda k: _with_count(k, counts.of("countries", k)))
        st.multiselect("Sponsor", list(SPONSOR_GROUP_LABELS), key=WIDGET_KEYS["sponsor_groups"], filter_mode=TYPE_AHEAD, placeholder="Any sponsor",
                       format_func=lambda k: _with_count(SPONSOR_GROUP_LABELS[k], counts.of("sponsor_groups", k)))
        low, high = trial_frame.year_bounds(data.table)
        if low < high:
            # A refreshed cache can move the bounds under a value chosen earlier in the session.
            start, end = st.session_state.get(YEARS_KEY, (low, high))
            st.session_state[YEARS_KEY] = (min(max(start, low), high), max(min(end, high), low))
            st.slider("Start year", min_value=low, max_value=high, key=YEARS_KEY,
                      help="Trials without a start date are left out once you narrow the years.")
        st.selectbox("Accepts EDSS", EDSS_CHOICES, key=WIDGET_KEYS["accepts_edss"],
                     format_func=lambda score: "Any EDSS" if score is None else f"{score:.1f}",
                     help="Keeps trials whose stated EDSS window includes this score, and trials whose criteria "
                          "state no window (check those with the team). EDSS runs from 0 (no disability) to 10; "
                          "6.0 means needing a cane or crutch to walk about 100 m.")
        st.multiselect("Registry", list(REGISTRY_NAMES), key=WIDGET_KEYS["registries"], placeholder="Any registry",
                       format_func=lambda k: _with_count(REGISTRY_NAMES[k], counts.of("registries", k)),
                       help="Where the trial is registered: ClinicalTrials.gov (worldwide) or the EU's Clinical "
                            "Trials Information System (CTIS). A trial registered in both is listed once.")
        st.radio("Results", list(RESULTS_CHOICES), key=WIDGET_KEYS["results"], horizontal=True,
                 format_func=lambda k: _with_count(RESULTS_CHOICES[k], counts.of("results", k)),
                 help="Whether the trial has posted results on ClinicalTrials.gov.")
        st.button("Reset filters", on_click=_reset, width="stretch")
    mask = trial_frame.filter_mask(data.table, state)
    nearest = None
    if near is not None:
        mask, nearest = near_place.narrow(data, mask, near)
    return app_support.AppContext(data=data, state=state, mask=mask, counts=counts, near=near, nearest=nearest)


def write_address(state: FilterState) -> None:
    """Put the filters in the address so a copied link reproduces the view."""
    wanted = {**trial_frame.to_query_params(state), **near_place.address_params()}
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    st.session_state[LAST_WRITTEN_KEY] = normalised
    if _filter_params_in_address() != normalised:
        st.query_params.from_dict(wanted)


def show_no_matches(context: app_support.AppContext, include_removed: bool = False) -> None:
    """The empty state when the filters leave nothing: what to change, with how many trials each step gives."""
    if context.near is None:
        steps = trial_frame.widening_steps(context.data.table, context.state, include_removed)
    else:
        # With a place set, every count keeps the place (else "2,653 would match" is untrue there), and
        # dropping the place itself is one of the steps.
        without_place = trial_frame.filter_mask(context.data.table, context.state)
        place = app_support.escape_markdown(context.near.words())  # the place comes from the address
        steps = [(f"Remove the place or widen the distance (now {place})", int(without_place.sum()))]
        for step, mask in trial_frame.widening_masks(context.data.table, context.state, include_removed):
            steps.append((step, int(near_place.narrow(context.data, mask, context.near)[0].sum())))
        steps.sort(key=lambda item: -item[1])
    steps = [(step, count) for step, count in steps if count]
    lines = ["**No trials match these filters.**"]
    if steps:
        lines.append("To widen the search, on the left (on a phone: tap **»** at the top left):")
        lines += [f"- {step}: {count:,} trial{'' if count == 1 else 's'} would match"
                  for step, count in steps[:4]]
    else:
        lines.append("Try fewer filters on the left, or reset them.")
    st.info("\n".join(lines), icon=":material/filter_alt_off:")
    st.button("Reset all filters", on_click=_reset, icon=":material/restart_alt:", key="reset_from_empty_state")
