"""The colours of the statuses: one palette for the charts (dashboards/charts.py) and the
stylesheet (static/css/site.css, the --status-* variables; tests/dashboards/test_palette.py keeps
the two equal).

Every colour carries white text at 4.5:1 or more (WCAG AA for normal text): the status word is
written on the bar or badge, colour only repeats it.
"""

STATUS_TEXT = "#ffffff"

STATUS_COLOURS = {
    "met": "#1e7b34",
    "achieved": "#1e7b34",
    "on_track": "#2a6aa8",
    "warning": "#9a6400",
    "behind": "#c0392b",
    "missed": "#c0392b",
    "no_data": "#5f6b78",
    "likely": "#2d6a3e",
    "pending": "#5b4f8a",
}


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    low, high = sorted([luminance(a), luminance(b)])
    return (high + 0.05) / (low + 0.05)
