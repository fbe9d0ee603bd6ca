// Draws every chart on the page from the JSON the template put beside it (json_script).
// One static file, no inline scripts; Plotly itself is served by this site (vendor/).
(function () {
  "use strict";
  var config = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };
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
      window.Plotly.newPlot(div, figure.data, figure.layout, config);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
