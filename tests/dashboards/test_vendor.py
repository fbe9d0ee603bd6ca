"""The vendored Plotly bundle is the file its README names, and draws every trace type the
dashboards emit."""

import hashlib
import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
BUNDLE = VENDOR / "plotly-cartesian-3.4.0.min.js"


def test_the_bundle_is_the_one_recorded():
    digest = hashlib.sha256(BUNDLE.read_bytes()).hexdigest()
    assert digest in (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "plotly.js (cartesian - minified) v3.4.0" in BUNDLE.read_text(encoding="utf-8")[:200]
    assert (VENDOR / "plotly-LICENSE.txt").read_text(encoding="utf-8").startswith("MIT License")


def test_every_trace_type_the_charts_draw_is_in_the_bundle():
    charts = (Path(settings.BASE_DIR) / "dashboards" / "charts.py").read_text(encoding="utf-8")
    not_traces = {"line", "rect", "category", "linear", "date"}  # shapes and axes
    used = set(re.findall(r'"type": "(\w+)"', charts)) - not_traces
    assert {"bar", "scatter", "heatmap"} <= used
    text = BUNDLE.read_text(encoding="utf-8")
    for trace in used:
        assert f'moduleType:"trace",name:"{trace}"' in text, trace
