// Injected into a copy of the rendered report by tests/test_screens.py and run by headless
// Chromium (--dump-dom): once every plotly chart has drawn, measure each chart's plot area and
// the boxes of its visible text labels, and write the findings as JSON into
// a pre element (id pa-screen-check) for the test to read.
(function () {
  // A label's outline on the screen: its glyph box (trimmed of the line's empty ascent and
  // descent) through its transform, so rotated tick labels are quads, not their much larger
  // axis-aligned boxes.
  function outline(el) {
    var style = window.getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" ||
        parseFloat(style.opacity || "1") === 0) return null;
    var b;
    try { b = el.getBBox(); } catch (e) { return null; }
    if (!b.width || !b.height) return null;
    var m = el.getScreenCTM();
    if (!m) return null;
    var trimY = 0.15 * b.height, trimX = Math.min(1, 0.05 * b.width);
    var xs = [b.x + trimX, b.x + b.width - trimX], ys = [b.y + trimY, b.y + b.height - trimY];
    var pts = [[xs[0], ys[0]], [xs[1], ys[0]], [xs[1], ys[1]], [xs[0], ys[1]]];
    return pts.map(function (p) {
      return [m.a * p[0] + m.c * p[1] + m.e, m.b * p[0] + m.d * p[1] + m.f];
    });
  }
  function project(poly, ax) {
    var lo = Infinity, hi = -Infinity;
    poly.forEach(function (p) { var v = p[0] * ax[0] + p[1] * ax[1];
                                lo = Math.min(lo, v); hi = Math.max(hi, v); });
    return [lo, hi];
  }
  // Separating-axis test of two convex quads: the smallest overlap (px) along their edge
  // normals; 0 when some axis separates them.
  function overlapDepth(p, q) {
    var depth = Infinity;
    [p, q].forEach(function (poly) {
      for (var i = 0; i < poly.length; i++) {
        var a = poly[i], b = poly[(i + 1) % poly.length];
        var ax = [b[1] - a[1], a[0] - b[0]];
        var len = Math.hypot(ax[0], ax[1]);
        if (!len) continue;
        ax = [ax[0] / len, ax[1] / len];
        var r1 = project(p, ax), r2 = project(q, ax);
        depth = Math.min(depth, Math.min(r1[1], r2[1]) - Math.max(r1[0], r2[0]));
      }
    });
    return Math.max(0, depth);
  }
  function labelsOf(chart) {
    var out = [];
    chart.querySelectorAll("svg text").forEach(function (t) {
      var text = (t.textContent || "").trim();
      if (!text) return;
      if (t.closest(".hoverlayer") || t.closest(".modebar")) return;
      var poly = outline(t);
      if (poly) out.push({text: text, poly: poly});
    });
    return out;
  }
  function plotArea(chart) {
    var best = 0;
    chart.querySelectorAll(".nsewdrag, .pielayer .trace, .geolayer .bg, .polarlayer .bg")
      .forEach(function (el) {
        var r = el.getBoundingClientRect();
        best = Math.max(best, r.width * r.height);
      });
    var traces = chart.querySelectorAll(".trace, .hm, .heatmaplayer image, .barlayer .point, " +
                                        ".scatterlayer .point, .scatterlayer .js-line").length;
    return {area: best, traces: traces};
  }
  function check() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
    var results = charts.map(function (chart, i) {
      var holder = chart.closest(".pa-figure");
      var title = holder ? holder.getAttribute("data-title") : "";
      var labels = labelsOf(chart);
      var clashes = [];
      for (var a = 0; a < labels.length; a++) {
        for (var b = a + 1; b < labels.length; b++) {
          // overlapping by more than 2 px every way: the two cannot both be read
          var depth = overlapDepth(labels[a].poly, labels[b].poly);
          if (depth > 2) clashes.push([labels[a].text, labels[b].text]);
        }
      }
      var plot = plotArea(chart);
      return {index: i, title: title, labels: labels.length, clashes: clashes.slice(0, 20),
              n_clashes: clashes.length, plot_area: plot.area, traces: plot.traces};
    });
    var pre = document.createElement("pre");
    pre.id = "pa-screen-check";
    pre.textContent = JSON.stringify({charts: results});
    document.body.appendChild(pre);
  }
  window.addEventListener("load", function () { setTimeout(check, 1500); });
})();
