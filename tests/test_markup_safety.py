"""The escaping of untrusted text: a table of hostile inputs, and properties over any text."""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstrials import markup_safety
from mstrials.markup_safety import (
    MARKDOWN_SPECIAL, hover_text, is_nct_id, markdown_fragment, markdown_lines, markdown_text, plain_label, study_url,
)
from mstrials.sources.ctgov_records import MalformedStudy, study_nct_id
from study_factory import make_study

WORD_JOINER = "\u2060"


def unescaped_specials(source: str) -> list[str]:
    """Markdown punctuation in `source` that no backslash makes literal."""
    found, index = [], 0
    while index < len(source):
        if source[index] == "\\":
            index += 2
            continue
        if source[index] in MARKDOWN_SPECIAL:
            found.append(source[index])
        index += 1
    return found


def as_read(source: str) -> str:
    """The text a markdown renderer shows for escaped source: escapes resolved, word joiners invisible."""
    return re.sub(r"\\(.)", r"\1", source, flags=re.DOTALL).replace(WORD_JOINER, "")


def decoded(source: str) -> str:
    """The text after markdown parsing, word joiners included: what Streamlit's text-node plugins see."""
    return re.sub(r"\\(.)", r"\1", source, flags=re.DOTALL)


def assert_inert_markdown(source: str) -> None:
    assert unescaped_specials(source) == []
    assert not re.search(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]", source)
    text = decoded(source)
    assert "://" not in text  # bare-URL autolinks
    assert not re.search(r"(?i)www\.", text)
    assert not re.search(r"[\w.+-]@[\w-]", text)  # e-mail autolinks
    assert not re.search(r":[\w/+-]+:", text)  # :emoji: shortcodes and :material/icon: icons
    assert not re.search(r":[a-z-]+\[", text)  # :red[…] colour directives
    assert not source.startswith((" ", "\t"))


HOSTILE = [
    ("[Verify your eligibility here](https://evil.example/phish)", "Verify your eligibility here"),
    ("see https://evil.example/phish now", "evil.example"),
    ("visit www.evil.example today", "www.evil.example"),
    ("WWW.EVIL.EXAMPLE", "WWW.EVIL.EXAMPLE"),
    ("write to someone@evil.example", "someone@evil.example"),
    ("<a href='https://evil.example'>x</a><script>alert(1)</script><img src=x onerror=alert(1)>", "<script>"),
    ("<i>slanted</i> and <b>bold</b>", "<i>slanted</i>"),
    ("costs $x^2$ and $$\\int$$", "$x^2$"),
    (":red[alarm] :orange-background[hi] :small[x]", ":red[alarm]"),
    (":material/warning: :smile: :+1:", ":material/warning:"),
    ("```python\ncode\n```", "```python code ```"),
    ("line one\r    indented code", "line one indented code"),
    ("\tTabbed code", "Tabbed code"),
    ("- item\n* item\n+ item\n1. item\n2) item", "- item * item + item 1. item 2) item"),
    ("# Heading\n> quote\n| a | b |\n|---|---|", "# Heading > quote | a | b | |---|---|"),
    ("Title\n===", "Title ==="),
    ("**bold** __bold__ *em* _em_ ~~gone~~", "**bold** __bold__ *em* _em_ ~~gone~~"),
    ("![img](https://evil.example/x.png)", "![img]"),
    ("[ref]: https://evil.example", "[ref]"),
    ("&lt;script&gt; &amp;", "&lt;script&gt;"),
    ("a\\[x](https://evil.example)", "a\\[x]"),
    ("right-to-left \u202egnp.exe", "right-to-left"),
    ("nul\x00 and escape \x1b[31m", "nul"),
]


@pytest.mark.parametrize("hostile, visible", HOSTILE)
def test_hostile_text_becomes_inert_markdown_that_reads_the_same(hostile, visible):
    escaped = markdown_text(hostile)
    assert_inert_markdown(escaped)
    assert visible in as_read(escaped)
    assert as_read(escaped) == plain_label(hostile)


@pytest.mark.parametrize("hostile, visible", HOSTILE)
def test_hostile_text_gives_no_tags_or_template_fields_in_plotly(hostile, visible):
    escaped = hover_text(hostile)
    assert not re.search(r"[<>\"'{}]", escaped)
    assert "%{" not in escaped
    assert html.unescape(escaped) == plain_label(hostile)


def test_plotly_template_fields_are_broken():
    assert "%{" not in hover_text("%{customdata[0]} %{y}")
    assert html.unescape(hover_text("%{y}")) == "%{y}"


def test_multi_line_text_keeps_its_lines_but_no_block_can_start():
    lines = markdown_lines("Inclusion:\r\n    - EDSS 3.0 to 6.5\r# not a heading\n\t1. first\n```")
    assert len(lines) == 5
    for line in lines:
        assert_inert_markdown(line.lstrip("\u00a0") if line.startswith("\u00a0") else line)
        assert not line.startswith((" ", "\t"))
    assert lines[1].startswith("\u00a0" * 4)  # the indentation still shows, as no-break spaces
    assert as_read(lines[1]).strip("\u00a0") == "- EDSS 3.0 to 6.5"


def test_a_fragment_keeps_its_spaces():
    assert as_read(markdown_fragment(" a [b] ")) == " a [b] "
    assert markdown_fragment("  x", at_line_start=True).startswith("\u00a0\u00a0")


TRICKY = st.lists(st.one_of(
    st.sampled_from(sorted(MARKDOWN_SPECIAL) + list("wW. /hts1\n\r\t\u2028\x0b\x85 ")
                    + ["://", "www.", "https://", "@", ":red[", ":material/", "    ", "%{"]),
    st.characters(),
), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(TRICKY)
def test_any_text_escapes_to_inert_markdown_that_reads_as_the_original(text):
    escaped = markdown_text(text)
    assert_inert_markdown(escaped)
    assert as_read(escaped) == plain_label(text)
    # Nothing a person reads is lost: the visible characters are those of the original, in order.
    assert as_read(escaped).split() == plain_label(text).split()


@settings(max_examples=300, deadline=None)
@given(TRICKY)
def test_any_text_escapes_to_inert_lines(text):
    lines = markdown_lines(text)
    for line in lines:
        body = line.lstrip("\u00a0")
        assert unescaped_specials(body) == []
        assert not re.search(r"[\r\n\t]", line) and not line.startswith((" ", "\t"))
        assert "://" not in decoded(body)


@settings(max_examples=300, deadline=None)
@given(TRICKY)
def test_any_text_is_safe_hover_text(text):
    escaped = hover_text(text)
    assert not re.search(r"[<>\"'{}]", escaped)
    assert html.unescape(escaped) == plain_label(text)


@pytest.mark.parametrize("value, valid", [
    ("NCT00000011", True),
    ("NCT03569618", True),
    ("NCT00000011\n", False),  # `$` in a plain match lets a trailing newline through
    (" NCT00000011", False),
    ("nct00000011", False),
    ("NCT0000001", False),
    ("NCT000000111", False),
    ("NCT\uff10\uff10\uff10\uff10\uff10\uff10\uff11\uff11", False),  # full-width digits
    ("NCT\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667", False),  # Arabic-Indic digits
    (None, False),
])
def test_nct_ids_are_eight_ascii_digits_and_nothing_else(value, valid):
    assert is_nct_id(value) is valid
    assert (study_url(value) == f"https://clinicaltrials.gov/study/{value}") is valid
    if not valid:
        assert study_url(value) is None


@pytest.mark.parametrize("bad", ["NCT00000011\n", "NCT\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667"])
def test_imports_refuse_ids_with_a_newline_or_foreign_digits(bad):
    with pytest.raises(MalformedStudy):
        study_nct_id(make_study(nct_id=bad))
    assert study_nct_id(make_study(nct_id="NCT00000011")) == "NCT00000011"


def test_the_module_does_not_need_streamlit():
    source = open(markup_safety.__file__).read()
    assert not re.search(r"^\s*(import|from)\s+streamlit", source, flags=re.MULTILINE)


def test_ctis_numbers_are_trial_ids_and_get_the_portal_link_only_when_exact():
    from mstrials.markup_safety import is_ctis_number, is_trial_id, registry_of_id, study_url

    assert study_url("2022-501332-42-00") == (
        "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT=2022-501332-42-00")
    assert study_url("NCT06408259") == "https://clinicaltrials.gov/study/NCT06408259"
    assert is_trial_id("2022-501332-42-00") and is_trial_id("NCT06408259")
    assert (registry_of_id("2022-501332-42-00"), registry_of_id("NCT06408259")) == ("ctis", "ctgov")
    for near_miss in ("2022-501332-42", "2022-401332-42-00", "2022-501332-42-00\n", " 2022-501332-42-00",
                      "2022-501332-42-00&x=1", "２０２２-501332-42-00", "2019-001234-12", "", None, 20225013324200):
        assert not is_ctis_number(near_miss) and not is_trial_id(near_miss) and study_url(near_miss) is None, near_miss
