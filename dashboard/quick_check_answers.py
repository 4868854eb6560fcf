"""The patient quick-check questions, and the answers for the pages that use them.

Kept out of the page address on purpose: health details should not travel in shared links.
"""
from __future__ import annotations

import streamlit as st

import app_support
from mstrials.eligibility import MS_TYPES
from mstrials.frame import readable_ms_type
from mstrials.patient_match import PatientProfile

ANSWER_KEYS = ("qc_age", "qc_sex", "qc_type", "qc_edss", "qc_country")
SEX_CHOICES = {"": "Prefer not to say", "FEMALE": "Female", "MALE": "Male"}


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
                         key="qc_type")
        with right:
            st.number_input("EDSS score, if you know it (0–10)", min_value=0.0, max_value=10.0, value=None, step=0.5,
                            key="qc_edss", placeholder="optional",
                            help="The disability score your neurologist uses. Leave empty if you do not know it.")
            st.selectbox("Country you could travel to", ["", *countries], key="qc_country",
                         format_func=lambda c: c or "Any country")
        st.button("Clear my answers", on_click=clear_answers, icon=":material/restart_alt:")
        st.caption(":material/medical_information: " + app_support.DISCLAIMER)
    return explore_answers()
