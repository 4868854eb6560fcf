"""How the Trial page's criteria highlighting scales with the length of the text (should be linear).

Run: .venv/bin/python scripts/bench_criteria.py
Cuts multi-line criteria of growing size into highlighted lines and escapes every piece, as the
page does, with one highlight every 50 lines; prints seconds per megabyte for each size.
"""
from __future__ import annotations

import time

from mstrials.markup_safety import markdown_fragment
from mstrials.explore.trial_detail import highlight_lines

LINE = "- Participants must not have [taken] part in another study within 30 days (EDSS 3.0 to 6.5)\n"


def escape_all(text: str, spans: list[tuple[int, int]]) -> int:
    size = 0
    for line in highlight_lines(text, spans):
        for position, segment in enumerate(line):
            size += len(markdown_fragment(segment.text, at_line_start=position == 0))
    return size


def main() -> None:
    for megabytes in (1, 2, 4, 8):
        text = LINE * (megabytes * 1_000_000 // len(LINE))
        spans = [(start, start + 40) for start in range(0, len(text), 50 * len(LINE))]
        began = time.perf_counter()
        escape_all(text, spans)
        seconds = time.perf_counter() - began
        print(f"{megabytes} MB, {len(spans):,} highlights: {seconds:.2f} s ({seconds / megabytes:.2f} s per MB)")


if __name__ == "__main__":
    main()
