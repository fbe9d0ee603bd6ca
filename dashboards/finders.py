"""Serve the plotly.min.js that ships inside the plotly package, as static/vendor/plotly.min.js.

Government intranets reach no CDN; the browser gets Plotly from this site. Only the one file is
exposed (the package data folder also holds data sets and templates we do not want to publish).
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_JS = "plotly.min.js"
PREFIX = "vendor"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == f"{PREFIX}/{PLOTLY_JS}" and (PLOTLY_DIR / PLOTLY_JS).exists():
            found = str(PLOTLY_DIR / PLOTLY_JS)
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield PLOTLY_JS, self.storage
