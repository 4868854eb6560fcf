"""Untrusted text (registry records, the page address) made safe for the places the app shows it.

Two targets, because they read different syntax:

- `markdown_text` / `markdown_lines`: for anything Streamlit renders as markdown (st.markdown,
  captions, notices, help tooltips, widget labels, expander labels). Every markdown punctuation
  character is backslash-escaped, so no link, emphasis, HTML, maths, table, heading or list can
  form. Backslashes are not enough for what Streamlit finds in the *decoded* text after parsing
  (bare-URL and e-mail autolinks, `:emoji:` shortcodes and `:material/icon:` icons), so a word
  joiner (U+2060, invisible) goes after every colon, after `www` and after `@`. Line breaks,
  tabs and control characters become spaces, which keeps indented code blocks from forming.
- `hover_text`: for Plotly hover labels, tick labels and legends, which understand a few HTML
  tags and `%{…}` template fields: HTML-escaped, with `{` as an entity.

`plain_label` is for widgets that show their options as plain text (selectbox, multiselect):
only line breaks and control characters are removed, so the text reads exactly as written.

Our own links are built here from validated ids only (`study_url`): a ClinicalTrials.gov number
(`NCT` and eight digits) or an EU CTIS trial number (`YYYY-5NNNNN-NN-NN`), nothing else.
"""
from __future__ import annotations

import html
import re
import unicodedata

WORD_JOINER = "\u2060"
# ASCII punctuation that means something to CommonMark, GFM, remark-math or Streamlit's directives.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:=&\"'@^%;/?")
LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"[ \t]+")
_WWW = re.compile(r"(w)(ww)(?=\.)", re.IGNORECASE)
NCT_ID = re.compile(r"NCT[0-9]{8}")
CLINICALTRIALS_STUDY_URL = "https://clinicaltrials.gov/study/"
# The EU Clinical Trials Information System's number: year, 5 and five digits, sponsor block, resubmission.
CTIS_NUMBER = re.compile(r"[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2}", re.ASCII)
CTIS_STUDY_URL = "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT="
REGISTRY_NAMES: dict[str, str] = {"ctgov": "ClinicalTrials.gov", "ctis": "CTIS"}


def _without_controls(text: str) -> str:
    """Control and format characters (bidi overrides, NUL, ESC…) as spaces; our word joiner is added later."""
    if text.isprintable():  # the usual case, checked at C speed
        return text
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf"} else ch for ch in text)


# Each special character behind a backslash; colons and at signs also get a word joiner (see above).
_ESCAPES = str.maketrans({ch: "\\" + ch + (WORD_JOINER if ch in ":@" else "") for ch in MARKDOWN_SPECIAL})


def _escape_line(line: str) -> str:
    return _WWW.sub(r"\1\2" + WORD_JOINER, line).translate(_ESCAPES)


def markdown_text(text: object) -> str:
    """One line of untrusted text for inside our markdown: shown literally, never as markup."""
    if text is None:
        return ""
    flat = LINE_BREAKS.sub(" ", str(text))
    flat = _SPACES.sub(" ", _without_controls(flat.replace("\t", " "))).strip()
    return _escape_line(flat)


def markdown_fragment(text: str, at_line_start: bool = False) -> str:
    """A piece of one line of untrusted text, escaped as it stands (spaces kept, nothing trimmed).

    At the start of a line its indentation becomes no-break spaces: they indent the same but
    cannot start a code block.
    """
    text = _without_controls(LINE_BREAKS.sub(" ", text).replace("\t", "    "))
    if at_line_start:
        body = text.lstrip(" ")
        return "\u00a0" * (len(text) - len(body)) + _escape_line(body)
    return _escape_line(text)


def markdown_lines(text: object) -> list[str]:
    """Untrusted multi-line text as escaped lines (join them with "  \\n" for hard line breaks).

    Leading indentation is kept as no-break spaces: they indent the same but cannot start a code block.
    """
    lines = []
    for raw in LINE_BREAKS.split("" if text is None else str(text)):
        raw = _without_controls(raw.replace("\t", "    ")).rstrip()
        body = raw.lstrip(" ")
        indent = "\u00a0" * (len(raw) - len(body))
        lines.append(indent + _escape_line(_SPACES.sub(" ", body)))
    return lines


def plain_label(text: object) -> str:
    """Untrusted text for a widget that shows it as plain text: one line, no control characters."""
    if text is None:
        return ""
    return _SPACES.sub(" ", _without_controls(LINE_BREAKS.sub(" ", str(text)).replace("\t", " "))).strip()


def hover_text(text: object) -> str:
    """Untrusted text for Plotly hover, tick and legend labels: no tags, entities or template fields."""
    if text is None:
        return ""
    escaped = html.escape(plain_label(text), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def is_nct_id(value: object) -> bool:
    """A ClinicalTrials.gov number: NCT and exactly eight ASCII digits, nothing before or after."""
    return isinstance(value, str) and NCT_ID.fullmatch(value) is not None


def is_ctis_number(value: object) -> bool:
    """An EU CTIS trial number, exactly (`2022-501332-42-00`), nothing before or after."""
    return isinstance(value, str) and CTIS_NUMBER.fullmatch(value) is not None


def is_trial_id(value: object) -> bool:
    """A trial id this product keys trials by: an NCT number or a CTIS trial number."""
    return is_nct_id(value) or is_ctis_number(value)


def registry_of_id(value: object) -> str | None:
    """"ctgov" for an NCT number, "ctis" for a CTIS number, None for anything else."""
    return "ctgov" if is_nct_id(value) else "ctis" if is_ctis_number(value) else None


def study_url(trial_id: object) -> str | None:
    """The trial's public page (ClinicalTrials.gov or the EU CTIS portal), or None when the id is
    neither a valid NCT number nor a valid CTIS number."""
    if is_nct_id(trial_id):
        return CLINICALTRIALS_STUDY_URL + trial_id
    if is_ctis_number(trial_id):
        return CTIS_STUDY_URL + trial_id
    return None


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...), so
# registry text in a CSV export could run or link out when opened in Excel or LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: text that would start a formula gets a leading
    apostrophe (the usual guard; spreadsheets hide it). Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
