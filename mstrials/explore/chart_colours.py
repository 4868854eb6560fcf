"""The colours and patterns of the charts, and the WCAG contrast arithmetic that picks them.

One place for every colour a chart uses, so a mechanism has the same colour on every chart and the
contrast rules can be checked in tests over the colours actually drawn:
- graphics (bars, their patterns) need a 3:1 contrast with what touches them (WCAG 2.1, 1.4.11);
- text needs 4.5:1 with its background (1.4.3).
Every bar colour below has at least 4.5:1 against the white page, so white pattern lines drawn on a
bar keep that contrast too. Colour is never the only cue: each mechanism and each status also has a
bar pattern, and the legends list the series in the order they are drawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

PAGE_BACKGROUND = "#ffffff"  # the light theme the app runs in (.streamlit/config.toml)
PATTERN_LINES = "#ffffff"  # pattern marks are drawn in white over the bar's own colour
CHART_TEXT = "#0a0a0a"  # the app's text colour (.streamlit/config.toml)

GRAPHIC_CONTRAST = 3.0
TEXT_CONTRAST = 4.5


@dataclass(frozen=True)
class SeriesStyle:
    colour: str  # "#rrggbb"
    pattern: str  # a Plotly bar pattern shape; "" is a plain fill


# One fixed style per mechanism key of data/mechanisms.toml. Keys whose colours are closest
# (microglia/non-drug, ibudilast/other neuroprotection, mitochondria/symptom relief, ...) get different patterns.
MECHANISM_STYLES: dict[str, SeriesStyle] = {
    "b_cell": SeriesStyle("#1f5fa6", ""),
    "microglia": SeriesStyle("#6a3d9a", "/"),
    "ibudilast": SeriesStyle("#b35806", "\\"),
    "mitochondrial": SeriesStyle("#8a6d00", "x"),
    "sodium_channel": SeriesStyle("#c51b7d", "."),
    "neuroprotection_other": SeriesStyle("#7f3b08", "|"),
    "remyelination": SeriesStyle("#1b7837", "+"),
    "astrocyte": SeriesStyle("#00707a", "-"),
    "anti_inflammatory": SeriesStyle("#c0262d", ""),
    "cell_therapy": SeriesStyle("#4b57d6", "."),
    "symptomatic": SeriesStyle("#5d7317", "/"),
    "non_drug": SeriesStyle("#9b4f96", "x"),
    "other": SeriesStyle("#5c5c5c", "\\"),
}
# For keys found in a cache but not in the vocabulary (an older or newer data file), in order of appearance.
SPARE_STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("#3b3b3b", "+"), SeriesStyle("#2f4b7c", "|"), SeriesStyle("#7a4a2b", "-"),
)

# The timeline's status groups (mstrials.explore.pipeline.STATUS_GROUP_ORDER).
STATUS_STYLES: dict[str, SeriesStyle] = {
    "Open": SeriesStyle("#1b7837", ""),
    "Running, not recruiting": SeriesStyle("#1f5fa6", "/"),
    "Completed": SeriesStyle("#5c5c5c", "."),
    "Stopped or withdrawn": SeriesStyle("#c0262d", "x"),
    "Unknown": SeriesStyle("#8a6d00", "-"),
}

# Plotly bar pattern settings: white lines over the bar's colour (the bar keeps its fill under the pattern).
PATTERN_OVERLAY: dict[str, object] = {"fillmode": "overlay", "fgcolor": PATTERN_LINES, "fgopacity": 1.0,
                                      "size": 7, "solidity": 0.25}

# Heatmap cells run from near-white to a mid blue (the light end of the "Blues" scale): dark text keeps
# 4.5:1 on every cell, where the full scale needs white text on its dark end and fails in the middle.
# The stops crowd at the low end: a few cells hold hundreds of trials, and an even scale left every
# other cell the same pale colour.
HEATMAP_COLOURSCALE: tuple[tuple[float, str], ...] = (
    (0.0, "#f7fbff"), (0.02, "#deebf7"), (0.06, "#c6dbef"), (0.15, "#9ecae1"), (0.4, "#6baed6"), (1.0, "#4292c6"),
)


def mechanism_styles(keys: Iterable[str]) -> dict[str, SeriesStyle]:
    """The style of each key: the fixed one for vocabulary keys, spare ones (in turn) for the rest."""
    styles: dict[str, SeriesStyle] = {}
    spare = 0
    for key in keys:
        if key in styles:
            continue
        if key in MECHANISM_STYLES:
            styles[key] = MECHANISM_STYLES[key]
        else:
            styles[key] = SPARE_STYLES[spare % len(SPARE_STYLES)]
            spare += 1
    return styles


def rgb_of(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of "#rrggbb", "#rgb" or "rgb(r, g, b)"."""
    text = colour.strip().lower()
    if text.startswith("rgb"):
        parts = text[text.index("(") + 1:text.index(")")].split(",")
        return tuple(round(float(part)) for part in parts[:3])  # type: ignore[return-value]
    digits = text.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"not a colour: {colour!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (0 = black, 1 = white)."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb_of(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
