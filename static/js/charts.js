// Draws every chart on the page from the JSON the template put beside it (json_script).
// One static file, no inline scripts; Plotly itself is served by this site (vendor/).
(function () {
  "use strict";
  // No mode bar: its buttons would be focusable controls inside a role="img" container, and
  // every figure's numbers stand in the table beneath it anyway.
  var config = {
    displayModeBar: false,
    responsive: true,
  };

  // On a narrow screen a target's name above its bar is broken into two lines (the table
  // under the chart keeps the full name).
  function fitNames(figure, width) {
    var annotations = (figure.layout && figure.layout.annotations) || [];
    if (width >= 600) {
      return;
    }
    var perLine = Math.max(8, Math.floor((width - 24) / 14));
    figure.layout.font = Object.assign({}, figure.layout.font, { size: 13 });
    annotations.forEach(function (note) {
      if (note.yref !== "y" || typeof note.text !== "string" || note.text.length <= perLine) {
        return;
      }
      var first = note.text.slice(0, perLine);
      var rest = note.text.slice(perLine);
      if (rest.length > perLine) {
        rest = rest.slice(0, perLine - 1) + "…";
      }
      note.text = first + "<br>" + rest;
      note.yshift = (note.yshift || 0) + 14;
    });
  }

  function draw() {
    if (!window.Plotly) {
      return;
    }
    var charts = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(charts, function (div) {
      var source = document.getElementById(div.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      fitNames(figure, div.clientWidth || window.innerWidth);
      window.Plotly.newPlot(div, figure.data, figure.layout, config);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
