"""The patient quick-check questions, and the answers for the pages that use them.

Kept out of the page address on purpose: health details should not travel in shared links.
"""
from __future__ import annotations

import streamlit as st

import app_support
from mstrials.labels.eligibility import MS_TYPES
from mstrials.explore.frame import readable_ms_type
from mstrials.markup_safety import plain_label
from mstrials.explore.patient_match import PatientProfile

ANSWER_KEYS = ("qc_age", "qc_sex", "qc_type", "qc_edss", "qc_country")
SEX_CHOICES = {"": "Prefer not to say", "FEMALE": "Female", "MALE": "Male"}
EDSS_HELP = (
    "EDSS (Expanded Disability Status Scale) is the 0 to 10 score neurologists use for MS. Roughly: "
    "0 no disability; 1 to 3.5 mild to moderate problems, walking unaided; 4 to 5.5 walking is limited; "
    "6 needs a stick or crutch to walk 100 m; 6.5 needs two; 7 and above mostly uses a wheelchair. "
    "Many progressive MS trials take people from about 3 to 6.5. Leave it empty if you do not know it."
)
MS_TYPE_HELP = (
    "Primary progressive (PPMS): slowly worsening from the start, without relapses. "
    "Secondary progressive (SPMS): relapses at first, then steady worsening. "
    "Relapsing-remitting (RRMS): attacks (relapses) followed by recovery. "
    "Your neurologist's letters usually name it. Choose “Not sure” if you do not know."
)


def keep_answers() -> None:
    """Keep the answers while the person looks at another page (Streamlit drops unseen widgets' values)."""
    for key in ANSWER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def clear_answers() -> None:
    for key, empty in {"qc_age": None, "qc_sex": "", "qc_type": "", "qc_edss": None, "qc_country": ""}.items():
        st.session_state[key] = empty


def explore_answers() -> PatientProfile | None:
    """The answers, once the person answered anything (no extra switch to forget)."""
    session = st.session_state
    profile = PatientProfile(
        age=session.get("qc_age"),
        sex=session.get("qc_sex") or None,
        ms_type=session.get("qc_type") or None,
        edss=session.get("qc_edss"),
        country=session.get("qc_country") or None,
    )
    return None if profile.is_empty else profile


def ask(countries: list[str]) -> PatientProfile | None:
    with st.expander("Could I qualify? Quick check", icon=":material/person_check:",
                     expanded=explore_answers() is not None):
        st.markdown(
            "Answer what you like: the list then hides trials whose **stated** criteria exclude you, and says "
            "why for the rest. Your answers stay in this browser tab and are not put in the page address."
        )
        left, right = st.columns(2)
        with left:
            st.number_input("Your age (years)", min_value=0, max_value=120, value=None, step=1, key="qc_age",
                            placeholder="e.g. 52")
            st.selectbox("Sex", list(SEX_CHOICES), format_func=SEX_CHOICES.get, key="qc_sex",
                         help="Some trials take only women or only men.")
            types = ["", *MS_TYPES]
            st.selectbox("Your type of MS", types, format_func=lambda k: readable_ms_type(k) if k else "Not sure",
                         key="qc_type", help=MS_TYPE_HELP)
        with right:
            st.number_input("EDSS disability score, if you know it (0–10)", min_value=0.0, max_value=10.0, value=None,
                            step=0.5, format="%.1f", key="qc_edss", placeholder="optional, e.g. 6.0",
                            help=EDSS_HELP)
            st.caption("EDSS is the 0–10 disability score your neurologist uses: 6 means you need a stick "
                       "to walk 100 m. Leave it empty if you do not know it.")
            st.selectbox("Country you could travel to", ["", *countries], key="qc_country",
                         format_func=lambda c: plain_label(c) or "Any country")
        st.button("Clear my answers", on_click=clear_answers, icon=":material/restart_alt:")
        st.caption(":material/medical_information: " + app_support.DISCLAIMER)
    return explore_answers()
