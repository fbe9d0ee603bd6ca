// Draws every chart on the page from the JSON the template put beside it (json_script).
// One static file, no inline scripts; Plotly itself is served by this site (vendor/).
//
// A figure from dashboards/charts.py is what a wide screen shows. Before Plotly draws it, the
// chart is fitted to the width of its container, and fitted again whenever that width
// changes: no text may stand on other text or be cut by the chart's edge
// (tests/test_chart_layout.py). Names are broken into lines that fit, quarters a year too
// narrow for each get one tick a year, numbers that would collide are thinned out; under
// 600 px bar charts turn into horizontal bars with each name above its bar, and the
// tasks × quarters chart keeps the latest quarters that fit. The figure's "form" (charts.py)
// says what kind of chart it is and holds the shorter words the narrow forms need.
(function () {
  "use strict";
  // No mode bar: its buttons would be focusable controls inside a role="img" container, and
  // every figure's numbers stand in the table beneath it anyway. Not Plotly's own
  // "responsive": the charts are redrawn here, for the new width, when their container's
  // width changes.
  var config = {
    displayModeBar: false,
    responsive: false,
  };
  var NARROW = 600; // px of container: a phone
  var LINE = 1.3; // Plotly's line height for <br>, in ems
  var SMALL = 12; // px: the smallest text drawn
  var canvas = null;

  function plain(text) {
    return String(text)
      .replace(/<[^>]+>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  }

  // How wide a text is drawn (its widest line), in px, a little generously.
  function measure(text, size, family) {
    canvas = canvas || document.createElement("canvas").getContext("2d");
    canvas.font = size + "px " + family;
    return String(text)
      .split(/<br>/i)
      .reduce(function (widest, line) {
        return Math.max(widest, canvas.measureText(plain(line)).width * 1.02 + 1);
      }, 0);
  }

  // Chinese breaks between any two characters, except before closing punctuation; Latin
  // words, numbers and entities stay whole. At most `most` lines, the last one shortened.
  var CLOSING = /^[，。、；：！？）》」』”’%,.;:!?)\]]/;
  function wrap(text, width, size, family, most) {
    var tokens = String(text).match(/&[a-z]+;|[A-Za-z0-9.,%&#\-/]+|\s+|[\s\S]/g) || [];
    var lines = [];
    var line = "";
    tokens.forEach(function (token) {
      if (!line && /^\s+$/.test(token)) {
        return;
      }
      if (line && !CLOSING.test(token) && measure(line + token, size, family) > width) {
        lines.push(line.replace(/\s+$/, ""));
        line = /^\s+$/.test(token) ? "" : token;
      } else {
        line += token;
      }
    });
    if (line) {
      lines.push(line);
    }
    if (most && lines.length > most) {
      var last = lines[most - 1];
      while (last.length > 1 && measure(last + "…", size, family) > width) {
        last = last.slice(0, -1);
      }
      lines = lines.slice(0, most - 1).concat([last + "…"]);
    }
    return lines.length ? lines : [""];
  }

  function legendHeight(figure, fit, available) {
    var items = figure.data.filter(function (trace) {
      return trace.showlegend !== false && trace.name && trace.type !== "heatmap";
    });
    if (figure.layout.showlegend === false || !items.length) {
      return 0;
    }
    var rows = 1;
    var x = 0;
    items.forEach(function (trace) {
      var w = fit.measure(trace.name, fit.size) + 50; // the sample, the gap, the name
      if (x && x + w > available) {
        rows += 1;
        x = 0;
      }
      x += w;
    });
    return rows * (fit.size * LINE + 8) + 6;
  }

  // Rows of horizontal bars, each with its name above it: the height of each row, the
  // thickness of its bar, the room above the first row's name, the chart's height.
  function rowsWithNames(figure, fit, names, barPx) {
    var layout = figure.layout;
    var margin = layout.margin;
    // The plot's left edge may move right of margin.l to make room for the first x tick.
    var width = fit.width - margin.l - margin.r - 24;
    var lines = 1;
    var notes = names.map(function (name, i) {
      var text = wrap(name, width, fit.size, fit.family, 3);
      lines = Math.max(lines, text.length);
      return {
        xref: "paper",
        x: 0,
        xanchor: "left",
        yref: "y",
        y: i,
        yanchor: "bottom",
        yshift: barPx / 2 + 2,
        text: text.join("<br>"),
        showarrow: false,
        align: "left",
        bgcolor: "#ffffff",
        borderpad: 0,
      };
    });
    var namesPx = lines * fit.size * LINE + 4;
    var slot = Math.ceil(namesPx + barPx + 10);
    var above = Math.max(0, (namesPx + barPx / 2 + 4 - slot / 2) / slot);
    var n = names.length;
    layout.yaxis = Object.assign({}, layout.yaxis, {
      type: "linear",
      autorange: false,
      range: [n - 0.5, -0.5 - above],
      showticklabels: false,
      showgrid: false,
      zeroline: false,
      fixedrange: true,
      title: { text: "" },
    });
    margin.t = legendHeight(figure, fit, fit.width - margin.l - margin.r) + 6;
    layout.height = Math.ceil(margin.t + margin.b + (n + above) * slot);
    return { notes: notes, thickness: barPx / slot };
  }

  var forms = {};

  // 总览: one bar per target, its name above it.
  forms.bullet = function (figure, fit) {
    var layout = figure.layout;
    var names = [];
    var others = (layout.annotations || []).filter(function (note) {
      if (note.yref === "y") {
        names.push(note.text);
        return false;
      }
      return true;
    });
    // Each bar's status and number: inside the bar where they fit, else after its end, else
    // (a long status beside a long bar on a phone) after the target's name above the bar.
    var bar = figure.data[0];
    var plotWidth = fit.width - layout.margin.l - layout.margin.r - 10;
    var scale = plotWidth / layout.xaxis.range[1];
    bar.textposition = bar.x.map(function (value, i) {
      var w = fit.measure(bar.text[i], fit.size) + 8;
      var length = (value || 0) * scale;
      if (value && w <= length) {
        return "inside";
      }
      if (length + w <= plotWidth) {
        return "outside";
      }
      names[i] += " · " + bar.text[i];
      bar.text[i] = "";
      return "none";
    });
    var rows = rowsWithNames(figure, fit, names, fit.narrow ? 28 : 32);
    // The bars and diamonds stand at the rows' positions (0, 1, …) on the linear axis.
    figure.data.forEach(function (trace) {
      trace.y = trace.y.map(function (_, i) {
        return i;
      });
    });
    figure.data[0].width = rows.thickness;
    layout.annotations = others.concat(rows.notes);
    layout.margin.b = Math.max(layout.margin.b, Math.ceil(fit.size * LINE + 14));
    layout.xaxis = Object.assign({}, layout.xaxis, { nticks: fit.narrow ? 4 : 8 });
  };

  // A county-by-county target: a bar per county, the requirement as a dotted line.
  forms.county = function (figure, fit) {
    var layout = figure.layout;
    var bar = figure.data[0];
    bar.textfont = Object.assign({}, bar.textfont, { size: fit.narrow ? SMALL : 13 });
    if (!fit.narrow) {
      var n = bar.x.length;
      var plotWidth = fit.width - layout.margin.l - layout.margin.r - 56; // y ticks, title
      var column = plotWidth / n;
      var inside = column * 0.8 - 6; // Plotly's bargap is 0.2
      bar.text = bar.text.map(function (text) {
        return text
          .split("<br>")
          .map(function (part) {
            return wrap(part, inside, bar.textfont.size, fit.family).join("<br>");
          })
          .join("<br>");
      });
      var tickSize = Math.min(fit.size, 14);
      layout.xaxis.tickfont = { size: tickSize };
      layout.xaxis.ticktext = figure.form.names.map(function (name) {
        return wrap(name, column - 2, tickSize, fit.family).join("<br>");
      });
      layout.margin.t = legendHeight(figure, fit, plotWidth) + 6;
      return;
    }
    // A phone: horizontal bars, each county's full name above its bar.
    var names = bar.x;
    var values = bar.y;
    // Little room beyond the longest bar: a number goes after its bar only when the bar is
    // too short to hold it.
    var range = [0, 1.05 * Math.max.apply(null, values.concat([layout.shapes[0].y0]))];
    var unit = layout.yaxis.title;
    bar.orientation = "h";
    bar.x = values;
    bar.y = names.map(function (_, i) {
      return i;
    });
    bar.text = bar.text.map(function (text) {
      return text.replace(/<br>/g, " ");
    });
    bar.hoverinfo = "text";
    bar.hovertext = names.map(function (name, i) {
      return name + "<br>" + bar.text[i];
    });
    layout.xaxis = {
      range: range,
      title: unit,
      nticks: 5,
      gridcolor: "#e4e8ee",
      fixedrange: true,
      automargin: true,
    };
    var line = layout.shapes[0];
    layout.shapes = [
      Object.assign({}, line, { xref: "x", x0: line.y0, x1: line.y1, yref: "paper", y0: 0, y1: 1 }),
    ];
    layout.margin.b = Math.ceil(2 * fit.size * LINE + 16);
    var rows = rowsWithNames(figure, fit, names, 26);
    bar.width = rows.thickness;
    layout.annotations = rows.notes;
  };

  // 报送情况: stacked bars per unit. On a phone each bar is the unit's own items, full width,
  // with the unit's name and what it owes above it.
  forms.compliance = function (figure, fit) {
    var layout = figure.layout;
    var size = fit.narrow ? SMALL : 14;
    var owed = figure.data[0].x.map(function (_, i) {
      return figure.data.reduce(function (sum, trace) {
        return sum + (trace.x[i] || 0);
      }, 0);
    });
    var most = Math.max.apply(null, owed.concat([1]));
    var plotWidth = fit.width - layout.margin.l - layout.margin.r;
    if (!fit.narrow) {
      plotWidth -= figure.data[0].y.reduce(function (w, name) {
        return Math.max(w, fit.measure(name, fit.size));
      }, 0);
      plotWidth -= 12;
    }
    // A part's number only where the part holds it at full size.
    figure.data.forEach(function (trace) {
      trace.textfont = Object.assign({}, trace.textfont, { size: size });
      trace.insidetextfont = Object.assign({}, trace.insidetextfont, { size: size });
      trace.text = trace.text.map(function (text, i) {
        var length = fit.narrow ? (trace.x[i] / owed[i]) * plotWidth : (trace.x[i] / most) * plotWidth;
        return text && fit.measure(text, size) + 6 <= length * 0.97 ? text : "";
      });
    });
    if (!fit.narrow) {
      layout.margin.t = legendHeight(figure, fit, fit.width) + 6;
      return;
    }
    layout.barnorm = "percent";
    layout.xaxis = Object.assign({}, layout.xaxis, {
      range: [0, 100],
      ticksuffix: "%",
      nticks: 5,
      title: { text: figure.form.share_title },
    });
    layout.margin.b = Math.ceil(2 * fit.size * LINE + 16);
    var rows = rowsWithNames(figure, fit, figure.form.names, 24);
    figure.data.forEach(function (trace) {
      trace.y = trace.y.map(function (_, i) {
        return i;
      });
      trace.width = rows.thickness;
    });
    layout.annotations = rows.notes;
  };

  // A city target: actual against expected, quarter by quarter.
  forms.trajectory = function (figure, fit) {
    var layout = figure.layout;
    var actual = figure.data[0];
    var n = actual.x.length;
    if (!n) {
      return;
    }
    var plotWidth = fit.width - layout.margin.l - layout.margin.r - 64; // y ticks and title
    var column = plotWidth / n;
    var widest = layout.xaxis.ticktext.reduce(function (w, text) {
      return Math.max(w, fit.measure(text, fit.size));
    }, 0);
    if (widest + 8 > column) {
      var years = figure.form.years;
      layout.xaxis = Object.assign({}, layout.xaxis, {
        tickvals: years.tickvals,
        ticktext: years.ticktext,
      });
    }
    layout.margin.t = legendHeight(figure, fit, fit.width - layout.margin.l) + 6;
    // The numbers over the points: from the last one back, each where it does not reach its
    // neighbour's, nor past the plot's sides.
    var size = (actual.textfont && actual.textfont.size) || 13;
    var kept = [];
    var positions = [];
    for (var i = n - 1; i >= 0; i -= 1) {
      var text = actual.text[i];
      positions[i] = "top center";
      if (!text) {
        continue;
      }
      var w = fit.measure(text, size) + 4;
      var x = (i + 0.5) * column;
      var left = x - w / 2;
      var right = x + w / 2;
      if (right > plotWidth) {
        positions[i] = "top left";
        left = x - w - 4;
        right = x;
      } else if (left < 0) {
        positions[i] = "top right";
        left = x;
        right = x + w + 4;
      }
      var clear = left >= 0 && right <= plotWidth + 1;
      clear =
        clear &&
        kept.every(function (other) {
          return right + 4 <= other.left || left >= other.right + 4;
        });
      if (clear) {
        kept.push({ left: left, right: right });
      } else {
        actual.text[i] = "";
      }
    }
    actual.textposition = positions;
  };

  // A unit's tasks × quarters: as many of the latest quarters as fit at a readable size (the
  // table beneath has them all). On a phone each task's name stands above its row of cells.
  forms.heatmap = function (figure, fit) {
    var layout = figure.layout;
    var heat = figure.data[0];
    var n = heat.x.length;
    var names = heat.y;
    var lh = fit.size * LINE;
    var tickSize = fit.narrow ? SMALL : 13;
    var room = fit.width - layout.margin.l - layout.margin.r;
    var nameWidth = 0;
    if (!fit.narrow) {
      nameWidth =
        names.reduce(function (w, name) {
          return Math.max(w, fit.measure(name, fit.size));
        }, 0) + 12; // the tick mark and its gap
    }
    function cellWidth(size) {
      var widest = 0;
      heat.text.forEach(function (row) {
        row.forEach(function (label) {
          widest = Math.max(widest, fit.measure(label, size) + 6);
        });
      });
      layout.xaxis.ticktext.forEach(function (text) {
        widest = Math.max(widest, fit.measure(text, tickSize) + 4);
      });
      return widest;
    }
    var cellSize = 13;
    var shown = n;
    (fit.narrow ? [SMALL] : [13, SMALL]).some(function (size) {
      cellSize = size;
      shown = Math.max(1, Math.min(n, Math.floor((room - nameWidth) / cellWidth(size))));
      return shown === n;
    });
    heat.textfont = Object.assign({}, heat.textfont, { size: cellSize });
    layout.xaxis = Object.assign({}, layout.xaxis, { tickfont: { size: tickSize } });
    layout.margin.t = Math.ceil(2 * tickSize * LINE + 16);
    layout.annotations = [];
    if (shown < n) {
      var from = n - shown;
      heat.x = heat.x.slice(from);
      heat.z = heat.z.map(function (row) {
        return row.slice(from);
      });
      heat.text = heat.text.map(function (row) {
        return row.slice(from);
      });
      layout.xaxis.tickvals = layout.xaxis.tickvals.slice(from);
      layout.xaxis.ticktext = layout.xaxis.ticktext.slice(from);
      var note = figure.form.note.replace("{shown}", shown).replace("{all}", n);
      // The note starts at the plot's left edge, after the names' column.
      var noteLines = wrap(note, room - nameWidth - 4, fit.size, fit.family);
      layout.annotations.push({
        xref: "paper",
        x: 0,
        xanchor: "left",
        yref: "paper",
        y: 0,
        yanchor: "top",
        yshift: -6,
        text: noteLines.join("<br>"),
        showarrow: false,
        align: "left",
      });
      layout.margin.b = Math.ceil(noteLines.length * lh + 14);
    }
    if (!fit.narrow) {
      var row = Math.max(34, Math.ceil(lh + 10));
      layout.height = Math.ceil(layout.margin.t + layout.margin.b + names.length * row);
      return;
    }
    // A phone: the name above the row, in the gap between the rows' cells.
    var cellPx = 28;
    var lines = 1;
    var wrapped = names.map(function (name) {
      var text = wrap(name, room - 4, fit.size, fit.family, 2);
      lines = Math.max(lines, text.length);
      return text.join("<br>");
    });
    var namesPx = Math.ceil(lines * lh + 4);
    heat.ygap = namesPx;
    var slot = cellPx + namesPx;
    var above = Math.max(0, (namesPx + 2 - namesPx / 2) / slot);
    layout.yaxis = Object.assign({}, layout.yaxis, {
      autorange: false,
      range: [names.length - 0.5, -0.5 - above],
      showticklabels: false,
      ticks: "",
      fixedrange: true,
    });
    names.forEach(function (name, i) {
      layout.annotations.push({
        xref: "paper",
        x: 0,
        xanchor: "left",
        yref: "y",
        y: i,
        yanchor: "bottom",
        yshift: cellPx / 2 + 1,
        text: wrapped[i],
        showarrow: false,
        align: "left",
      });
    });
    layout.height = Math.ceil(layout.margin.t + layout.margin.b + (names.length + above) * slot);
  };

  function fitted(figure, width) {
    var layout = figure.layout;
    var font = layout.font || {};
    var fit = {
      width: width,
      narrow: width < NARROW,
      family: font.family || "sans-serif",
    };
    fit.size = fit.narrow ? 13 : font.size || 15;
    fit.measure = function (text, size) {
      return measure(text, size, fit.family);
    };
    layout.width = width;
    layout.autosize = false;
    layout.font = Object.assign({}, font, { size: fit.size });
    layout.hoverlabel = { font: layout.font };
    layout.margin = Object.assign({ l: 10, r: 20, t: 30, b: 40 }, layout.margin);
    var form = forms[(figure.form || {}).kind];
    if (form) {
      form(figure, fit);
    }
    return figure;
  }

  function draw(div) {
    var source = document.getElementById(div.getAttribute("data-chart"));
    var width = Math.floor(div.clientWidth || window.innerWidth);
    if (!source || !width || div.getAttribute("data-drawn-width") === String(width)) {
      return;
    }
    div.setAttribute("data-drawn-width", String(width));
    var figure = fitted(JSON.parse(source.textContent), width);
    var plot = div._fullLayout ? window.Plotly.react : window.Plotly.newPlot;
    plot(div, figure.data, figure.layout, config);
  }

  function start() {
    if (!window.Plotly) {
      return;
    }
    var charts = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(charts, draw);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          draw(entry.target);
        });
      });
      Array.prototype.forEach.call(charts, function (div) {
        observer.observe(div);
      });
    } else {
      window.addEventListener("resize", function () {
        Array.prototype.forEach.call(charts, draw);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
