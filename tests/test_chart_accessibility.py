"""The Pipeline charts, read back from the figures the page sends to the browser (real corpus, AppTest).

Checks the colour rules of WCAG 2.1 with its own formula: every mechanism keeps one distinct colour on every
chart, with a pattern as a second cue; timeline bars and their patterns reach 3:1 against what touches them
(1.4.11); the numbers in the heatmap reach 4.5:1 on every cell colour the figure can draw (1.4.3).
"""
from __future__ import annotations

import base64
import itertools
import json
import math

import numpy
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import REPO_ROOT, load_script
from mstrials.explore import chart_colours
from mstrials.explore.chart_colours import GRAPHIC_CONTRAST, TEXT_CONTRAST, contrast_ratio, rgb_of
from mstrials.labels.mechanism_catalogue import load_catalogue
from mstrials.labels.vocabulary import load_vocabulary
from mstrials.markup_safety import hover_text

# Two colours closer than this (CIE76 ΔE in L*a*b*) are hard to tell apart in a small legend swatch.
MIN_COLOUR_DISTANCE = 20
# Pairs closer than this need a different pattern as well.
CONFUSABLE_DISTANCE = 30
# Streamlit's chart theme fills unstyled series with these stand-ins and swaps in its 10-colour palette in the
# browser: a figure that shows them has not chosen its colours.
THEME_STAND_INS = {f"#{n:06d}" for n in range(1, 11)}


def lab_of(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb_of(colour))
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def colour_distance(first: str, second: str) -> float:
    return math.dist(lab_of(first), lab_of(second))


def numbers_of(value) -> list[float]:
    """A figure's number array as plain numbers: Plotly sends numpy arrays as base64 ("bdata") with a dtype."""
    if isinstance(value, dict) and "bdata" in value:
        return numpy.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype(float).tolist()
    return [float(number) for number in numpy.ravel(value)]


def colour_at(colorscale: list, fraction: float) -> str:
    """The colour Plotly draws at `fraction` of a colourscale: straight-line RGB between the two stops around it."""
    stops = [(float(position), rgb_of(colour)) for position, colour in colorscale]
    for (low, low_rgb), (high, high_rgb) in zip(stops, stops[1:]):
        if low <= fraction <= high:
            share = 0.0 if high == low else (fraction - low) / (high - low)
            mixed = [round(a + (b - a) * share) for a, b in zip(low_rgb, high_rgb)]
            return "#{:02x}{:02x}{:02x}".format(*mixed)
    raise AssertionError(f"{fraction} is outside the colourscale {colorscale}")


# ---------------------------------------------------------------- the formula and the table


def test_contrast_formula_gives_the_published_wcag_ratios():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The well-known AA edge: #767676 passes 4.5:1 on white, #777777 just fails (4.48:1).
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("rgb(118, 118, 118)", "#fff") == pytest.approx(4.54, abs=0.01)


def test_every_vocabulary_mechanism_has_its_own_colour_and_a_second_cue():
    keys = list(load_vocabulary().mechanisms)
    assert len(keys) >= 13
    styles = chart_colours.mechanism_styles(keys)
    assert set(keys) <= set(chart_colours.MECHANISM_STYLES), "a mechanism key has no fixed colour"
    colours = [styles[key].colour.lower() for key in keys]
    assert len(set(colours)) == len(keys)
    for first, second in itertools.combinations(keys, 2):
        distance = colour_distance(styles[first].colour, styles[second].colour)
        assert distance >= MIN_COLOUR_DISTANCE, (first, second, distance)
        if distance < CONFUSABLE_DISTANCE:
            assert styles[first].pattern != styles[second].pattern, (first, second)
    for key in keys:  # bars against the page, and the white pattern lines against the bar
        assert contrast_ratio(styles[key].colour, chart_colours.PAGE_BACKGROUND) >= GRAPHIC_CONTRAST, key
        assert contrast_ratio(styles[key].colour, chart_colours.PATTERN_LINES) >= GRAPHIC_CONTRAST, key


def test_keys_outside_the_vocabulary_get_spare_colours_in_turn():
    styles = chart_colours.mechanism_styles(["b_cell", "new_kind", "b_cell", "another_kind"])
    assert styles["b_cell"] == chart_colours.MECHANISM_STYLES["b_cell"]
    assert styles["new_kind"] != styles["another_kind"]
    fixed = {style.colour for style in chart_colours.MECHANISM_STYLES.values()}
    assert styles["new_kind"].colour not in fixed and styles["another_kind"].colour not in fixed


# ---------------------------------------------------------------- the figures on the page


@pytest.fixture(scope="module")
def pipeline_figures(corpus_file, tmp_path_factory) -> dict[str, dict]:
    cache = tmp_path_factory.mktemp("charts") / "trials.sqlite"
    assert load_script("fetch_trials").main(["--cache", str(cache), "--quiet", "--from-file", str(corpus_file)]) == 0
    st.cache_data.clear()
    st.cache_resource.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MSTRIALS_CACHE", str(cache))
        at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
        at.query_params["scope"] = "all"
        at.switch_page("views/pipeline.py")
        # The timeline of `other` has every status group. The page's default, the most common
        # mechanism, leads `non_drug` by a trial or two, so it flips whenever the labels improve.
        at.session_state["pipeline_mechanism"] = "other"
        at.run()
    st.cache_data.clear()
    st.cache_resource.clear()
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    by_kind = {}
    for spec in specs:
        kinds = {trace.get("type") for trace in spec["data"]}
        if kinds == {"heatmap"}:
            by_kind["heatmap"] = spec
        elif any(trace.get("name") in chart_colours.STATUS_STYLES for trace in spec["data"]):
            by_kind["timeline"] = spec
        else:
            by_kind["starts"] = spec
    assert set(by_kind) == {"heatmap", "timeline", "starts"}
    return by_kind


def background_of(spec: dict) -> str:
    layout = spec["layout"]
    assert layout.get("plot_bgcolor") and layout.get("paper_bgcolor"), "the chart leaves its background to the theme"
    assert layout["plot_bgcolor"] == layout["paper_bgcolor"]
    return layout["plot_bgcolor"]


def test_starts_per_year_colours_each_mechanism_from_the_one_table(pipeline_figures):
    spec = pipeline_figures["starts"]
    catalogue = load_catalogue()
    key_of_name = {hover_text(catalogue.label(key)): key for key in catalogue.ordered_keys()}
    traces = spec["data"]
    keys = [key_of_name[trace["name"]] for trace in traces]
    assert len(keys) >= 13 and len(set(keys)) == len(keys)  # the real corpus has every mechanism
    for trace, key in zip(traces, keys):
        style = chart_colours.MECHANISM_STYLES[key]
        assert trace["marker"]["color"] == style.colour, key
        assert trace["marker"]["pattern"]["shape"] == style.pattern, key
        if style.pattern:
            assert trace["marker"]["pattern"]["fillmode"] == "overlay"  # lines over the colour, not instead of it
            assert contrast_ratio(trace["marker"]["pattern"]["fgcolor"], style.colour) >= GRAPHIC_CONTRAST
    assert len({trace["marker"]["color"] for trace in traces}) == len(traces)
    # The legend reads top to bottom as the stack does: the last trace drawn sits on top and is listed first.
    assert spec["layout"]["barmode"] == "stack" and spec["layout"]["legend"]["traceorder"] == "reversed"
    assert keys == [key for key in catalogue.ordered_keys() if key in keys]


def test_timeline_bars_and_patterns_reach_3_to_1(pipeline_figures):
    spec = pipeline_figures["timeline"]
    background = background_of(spec)
    traces = {trace["name"]: trace for trace in spec["data"]}
    assert {"Stopped or withdrawn", "Running, not recruiting"} <= set(traces)
    assert spec["layout"]["bargap"] > 0  # rows apart: a bar touches the page, never a bar of another row
    for name, trace in traces.items():
        colour = trace["marker"]["color"]
        assert colour.lower() not in THEME_STAND_INS, name
        assert contrast_ratio(colour, background) >= GRAPHIC_CONTRAST, (name, colour)
        pattern = trace["marker"].get("pattern", {})
        if pattern.get("shape"):
            assert pattern["fillmode"] == "overlay", name
            assert contrast_ratio(pattern["fgcolor"], colour) >= GRAPHIC_CONTRAST, (name, pattern)
    # Each status has its own pattern, so no two statuses differ by colour alone.
    shapes = [trace["marker"].get("pattern", {}).get("shape", "") for trace in traces.values()]
    assert len(set(shapes)) == len(shapes)


def test_heatmap_numbers_reach_4_5_to_1_on_every_cell_colour(pipeline_figures):
    (trace,) = pipeline_figures["heatmap"]["data"]
    text_colour = trace.get("textfont", {}).get("color")
    assert text_colour, "the cell numbers take Plotly's automatic colour, which is 3.6:1 on mid blue"
    low, high = trace["zmin"], trace["zmax"]
    values = numbers_of(trace["z"])
    assert low <= min(values) and max(values) <= high and high > low
    # Every count the figure can hold, and a fine grid in between.
    fractions = {(value - low) / (high - low) for value in range(int(low), int(high) + 1)}
    fractions |= {step / 200 for step in range(201)}
    worst = min(contrast_ratio(text_colour, colour_at(trace["colorscale"], f)) for f in fractions)
    assert worst >= TEXT_CONTRAST, worst


@pytest.mark.parametrize("chart", ["heatmap", "timeline", "starts"])
def test_chart_text_reaches_4_5_to_1(pipeline_figures, chart):
    spec = pipeline_figures[chart]
    background = background_of(spec)
    layout = spec["layout"]
    # Left unset, these take the chart theme's grey: 3.8:1 on white.
    texts = {"font": layout.get("font", {}).get("color"), "legend": layout.get("legend", {}).get("font", {}).get("color")}
    for axis in ("xaxis", "yaxis"):
        texts[f"{axis} ticks"] = layout.get(axis, {}).get("tickfont", {}).get("color")
        texts[f"{axis} title"] = layout.get(axis, {}).get("title", {}).get("font", {}).get("color")
    for number, annotation in enumerate(layout.get("annotations", [])):
        texts[f"annotation {number}"] = annotation.get("font", {}).get("color")
    unset = [name for name, colour in texts.items() if not colour]
    assert not unset, f"{chart}: text colour left to the theme for {unset}"
    for name, colour in texts.items():
        assert contrast_ratio(colour, background) >= TEXT_CONTRAST, (chart, name, colour)
