"""The patient quick-check: per-theme verdicts, plain reasons, and unknown never shown as yes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstrials.labels.eligibility import EligibilityThemes, Person, extract_eligibility, quick_check

US_SITES = ("United States", "Canada")


def themes(**values) -> EligibilityThemes:
    base = dict(min_age=18.0, max_age=55.0, sex="ALL", edss_min=3.0, edss_max=6.5, ms_types_included=("PPMS",))
    base.update(values)
    return EligibilityThemes(**base)


def person(**values) -> Person:
    base = dict(age=40, sex="FEMALE", ms_type="PPMS", edss=5.0, country="Canada")
    base.update(values)
    return Person(**base)


def test_everything_fits():
    result = quick_check(themes(), person(), trial_countries=US_SITES)
    assert result.overall == "ok"
    assert [c.verdict for c in result.checks] == ["ok"] * 5
    assert result.unknown_themes == () and result.excluded_themes == ()


def test_age_too_high_gives_the_plain_reason():
    check = quick_check(themes(), person(age=60), US_SITES).check("age")
    assert check.verdict == "excluded"
    assert check.message == "The study takes people aged 18 to 55; you entered 60."


@pytest.mark.parametrize("age, verdict", [(17, "excluded"), (17.9, "excluded"), (18, "ok"), (55, "ok"), (55.5, "ok"), (56, "excluded")])
def test_age_bounds_are_whole_years_inclusive(age, verdict):
    assert quick_check(themes(), person(age=age), US_SITES).check("age").verdict == verdict


def test_one_sided_age_messages():
    assert quick_check(themes(max_age=None), person(age=16), US_SITES).check("age").message == \
        "The study takes people aged 18 or older; you entered 16."
    assert quick_check(themes(min_age=None, max_age=17.0), person(age=40), US_SITES).check("age").message == \
        "The study takes people aged up to 17; you entered 40."


def test_months_are_shown_as_the_registry_wrote_them():
    check = quick_check(themes(min_age=0.5, min_age_text="6 Months", max_age=17.0), person(age=30), US_SITES).check("age")
    assert check.message == "The study takes people aged 6 months to 17; you entered 30."


def test_no_age_limit_is_unknown_not_yes():
    result = quick_check(themes(min_age=None, max_age=None), person(), US_SITES)
    assert result.check("age").verdict == "unknown"
    assert result.overall == "unknown"
    assert "age" in result.unknown_themes


def test_sex():
    check = quick_check(themes(sex="FEMALE"), person(sex="MALE"), US_SITES).check("sex")
    assert (check.verdict, check.message) == ("excluded", "The study takes women only; you entered male.")
    assert quick_check(themes(sex="FEMALE"), person(sex="FEMALE"), US_SITES).check("sex").verdict == "ok"
    assert quick_check(themes(sex=None), person(), US_SITES).check("sex").verdict == "unknown"
    assert quick_check(themes(sex="MALE"), person(sex=None), US_SITES).check("sex").verdict == "unknown"


def test_ms_type_not_taken():
    check = quick_check(themes(), person(ms_type="SPMS"), US_SITES).check("ms_type")
    assert check.verdict == "excluded"
    assert check.message == "The study is for people with primary progressive MS; you entered secondary progressive MS."


def test_ms_type_excluded_by_progressive_forms():
    study = themes(ms_types_included=("RRMS",), ms_types_excluded=("PROGRESSIVE_UNSPECIFIED",))
    check = quick_check(study, person(ms_type="PPMS"), US_SITES).check("ms_type")
    assert (check.verdict, check.message) == ("excluded", "The study does not take people with primary progressive MS.")


def test_progressive_unspecified_inclusion_takes_ppms():
    study = themes(ms_types_included=("PROGRESSIVE_UNSPECIFIED",))
    assert quick_check(study, person(ms_type="PPMS"), US_SITES).check("ms_type").verdict == "ok"
    assert quick_check(study, person(ms_type="RRMS"), US_SITES).check("ms_type").verdict == "excluded"


def test_spms_in_a_relapsing_study_is_unknown_not_excluded():
    study = themes(ms_types_included=("RRMS",))
    assert quick_check(study, person(ms_type="SPMS"), US_SITES).check("ms_type").verdict == "unknown"


def test_ms_type_unknowns():
    assert quick_check(themes(ms_types_included=()), person(), US_SITES).check("ms_type").verdict == "unknown"
    assert quick_check(themes(), person(ms_type=None), US_SITES).check("ms_type").verdict == "unknown"


def test_only_exclusions_stated_and_yours_is_not_one():
    study = themes(ms_types_included=(), ms_types_excluded=("PPMS",))
    assert quick_check(study, person(ms_type="RRMS"), US_SITES).check("ms_type").verdict == "ok"


@pytest.mark.parametrize("edss, verdict", [(2.5, "excluded"), (3.0, "ok"), (6.5, "ok"), (7.0, "excluded"), (None, "unknown")])
def test_edss(edss, verdict):
    assert quick_check(themes(), person(edss=edss), US_SITES).check("edss").verdict == verdict


def test_edss_reason():
    check = quick_check(themes(), person(edss=7.0), US_SITES).check("edss")
    assert check.message == "The study takes people with an EDSS score of 3.0 to 6.5; you entered 7.0."
    check = quick_check(themes(edss_min=None), person(edss=7.0), US_SITES).check("edss")
    assert check.message == "The study takes people with an EDSS score of 6.5 or lower; you entered 7.0."


def test_edss_not_stated_is_unknown():
    result = quick_check(themes(edss_min=None, edss_max=None), person(), US_SITES)
    assert result.check("edss").verdict == "unknown"
    assert result.overall == "unknown"


@pytest.mark.parametrize("country, verdict", [("Canada", "ok"), ("USA", "ok"), ("united states of america", "ok"), ("Germany", "excluded"), (None, "unknown")])
def test_country(country, verdict):
    assert quick_check(themes(), person(country=country), US_SITES).check("country").verdict == verdict


def test_country_without_listed_sites_is_unknown():
    assert quick_check(themes(), person(), trial_countries=None).check("country").verdict == "unknown"
    assert quick_check(themes(), person(), trial_countries=()).check("country").verdict == "unknown"


def test_any_exclusion_makes_the_overall_excluded_even_with_unknowns():
    result = quick_check(themes(edss_min=None, edss_max=None), person(age=70), US_SITES)
    assert result.overall == "excluded"
    assert result.excluded_themes == ("age",)
    assert result.unknown_themes == ("edss",)


def test_unknown_is_never_reported_as_ok():
    empty = EligibilityThemes()
    result = quick_check(empty, Person(age=None, sex=None), trial_countries=None)
    assert result.overall == "unknown"
    assert all(check.verdict == "unknown" for check in result.checks)
    assert "could not check" in result.summary


def test_messages_are_short():
    for study in (themes(), EligibilityThemes(), themes(sex="MALE", ms_types_included=("RRMS",))):
        for someone in (person(), person(age=80, sex="FEMALE", ms_type="SPMS", edss=9.0, country="Peru"), Person(age=None, sex=None)):
            for check in quick_check(study, someone, US_SITES).checks:
                assert 0 < len(check.message) <= 140, check.message


def test_quick_check_on_extracted_themes():
    study = {"protocolSection": {"eligibilityModule": {
        "eligibilityCriteria": "Inclusion Criteria:\n\n* Diagnosis of SPMS\n* EDSS 3.0 to 6.5\n\nExclusion Criteria:\n\n* Diagnosis of PPMS",
        "minimumAge": "18 Years", "maximumAge": "60 Years", "sex": "ALL",
    }}}
    result = quick_check(extract_eligibility(study), person(ms_type="PPMS", edss=4.0), US_SITES)
    assert result.overall == "excluded"
    assert result.excluded_themes == ("ms_type",)
    assert result.check("ms_type").message == "The study does not take people with primary progressive MS."


ODD_NUMBERS = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 200)
ODD_TEXT = st.none() | st.sampled_from(["ALL", "FEMALE", "MALE", "OTHER", "", "PPMS", "SPMS", "RRMS", "CIS",
                                        "PROGRESSIVE_UNSPECIFIED", "NMOSD", "Canada", "USA"])


@settings(max_examples=300, deadline=None)
@given(
    st.builds(EligibilityThemes, min_age=ODD_NUMBERS, max_age=ODD_NUMBERS, sex=ODD_TEXT, edss_min=ODD_NUMBERS,
              edss_max=ODD_NUMBERS, ms_types_included=st.lists(ODD_TEXT.filter(bool), max_size=3).map(tuple),
              ms_types_excluded=st.lists(ODD_TEXT.filter(bool), max_size=3).map(tuple)),
    st.builds(Person, age=ODD_NUMBERS, sex=ODD_TEXT, ms_type=ODD_TEXT, edss=ODD_NUMBERS, country=ODD_TEXT),
    st.none() | st.lists(ODD_TEXT, max_size=3),
)
def test_quick_check_never_raises_and_never_says_ok_for_unknowns(study, someone, countries):
    result = quick_check(study, someone, trial_countries=countries)
    assert result.overall in ("ok", "excluded", "unknown")
    assert [check.theme for check in result.checks] == ["age", "sex", "ms_type", "edss", "country"]
    verdicts = {check.verdict for check in result.checks}
    assert result.overall == ("excluded" if "excluded" in verdicts else "ok" if verdicts == {"ok"} else "unknown")
    if someone.edss is None or study.edss_min is None and study.edss_max is None:
        assert result.check("edss").verdict == "unknown"
