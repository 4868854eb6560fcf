"""Eligibility themes: what a study's eligibility says about age, sex, MS type, EDSS and key
exclusions, each with the words it came from, plus a quick-check of one person against them.

Pure functions, no I/O, no Streamlit: the fetch script, the export and the app share them.
"""
from .ages import age_to_years
from .ms_types import CIS, MS_TYPES, PPMS, PROGRESSIVE_UNSPECIFIED, RRMS, SPMS
from .quickcheck import EXCLUDED, OK, UNKNOWN, Person, QuickCheckResult, ThemeCheck, quick_check
from .themes import ROW_KEYS, EligibilityThemes, SourceSnippet, eligibility_inputs, extract_eligibility

__all__ = [
    "extract_eligibility", "eligibility_inputs", "EligibilityThemes", "SourceSnippet", "ROW_KEYS",
    "quick_check", "Person", "QuickCheckResult", "ThemeCheck", "OK", "EXCLUDED", "UNKNOWN",
    "age_to_years", "MS_TYPES", "PPMS", "SPMS", "RRMS", "CIS", "PROGRESSIVE_UNSPECIFIED",
]
