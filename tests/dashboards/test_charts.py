"""The figures charts.py builds, checked as data (the browser tests draw them)."""

from dashboards.charts import TASK_COLOURS, heatmap_figure


def _colour_at(scale, position):
    """The colour a flat-banded Plotly colour scale gives at a position in [0, 1]."""
    for (start, colour), (end, _) in zip(scale[::2], scale[1::2], strict=True):
        if start <= position <= end:
            return colour
    raise AssertionError(f"{position} outside the scale")


def test_the_task_grid_colours_every_code_with_its_own_colour():
    codes = list(TASK_COLOURS)
    figure = heatmap_figure(rows=["1. 任务"], columns=codes, codes=[codes], labels=[codes])
    heat = figure["data"][0]
    scale = heat["colorscale"]
    stops = [position for position, _ in scale]
    assert stops == sorted(stops) and stops[0] == 0 and stops[-1] == 1  # Plotly drops others
    for code, z in zip(codes, heat["z"][0], strict=True):
        position = (z - heat["zmin"]) / (heat["zmax"] - heat["zmin"])
        assert _colour_at(scale, position) == TASK_COLOURS[code], code
