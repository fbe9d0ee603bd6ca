"""The status palette: one for the charts and the stylesheet, readable with its white text."""

import re
from pathlib import Path

import pytest

from dashboards.palette import STATUS_COLOURS, STATUS_TEXT, contrast

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def test_the_stylesheet_status_colours_are_the_charts_palette():
    declared = dict(re.findall(r"--status-(\w+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    assert declared == STATUS_COLOURS


@pytest.mark.parametrize("status", sorted(STATUS_COLOURS))
def test_every_status_colour_carries_its_white_text_at_4_5_to_1(status):
    assert contrast(STATUS_COLOURS[status], STATUS_TEXT) >= 4.5


@pytest.mark.parametrize(
    ("a", "b", "ratio"), [("#ffffff", "#000000", 21.0), ("#ffffff", "#ffffff", 1.0)]
)
def test_contrast_is_the_wcag_ratio(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio)
