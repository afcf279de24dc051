// 哨报 dashboards: ECharts from the figures the page embedded (#figures); on the command-centre
// screen, the figures and the whistle map refresh themselves from data.json. Same origin only.
(function () {
  "use strict";
  var charts = {};
  var COLORS = { response: "#1971c2", resolution: "#2f9e44", satisfaction: "#e8590c" };

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function labels() {
    var t = document.getElementById("trend-table");
    var th = t ? t.querySelectorAll("thead th") : [];
    return { response: th[2] ? th[2].textContent : "响应率", resolution: th[3] ? th[3].textContent : "解决率", satisfaction: th[4] ? th[4].textContent : "满意率" };
  }

  function draw(f) {
    var big = document.body.classList.contains("command");
    var font = big ? 16 : 12;
    var ink = big ? "#dee2e6" : "#343a40";
    var rule = big ? "#1f4470" : "#e9ecef";
    var axis = function (o) {
      o.axisLabel = { color: ink, fontSize: font - 2 };
      o.splitLine = { lineStyle: { color: rule } };
      o.axisLine = { lineStyle: { color: ink } };
      return o;
    };
    var c = chart("chart-trend");
    var names = labels();
    if (c) {
      c.setOption({
        animation: false,
        textStyle: { fontSize: font },
        tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { fontSize: font, color: ink } },
        grid: { left: 40, right: 16, top: 32, bottom: 28 },
        xAxis: axis({ type: "category", data: f.trend.map(function (t) { return t.month; }) }),
        yAxis: axis({ type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100 }),
        series: ["response", "resolution", "satisfaction"].map(function (k) {
          return { name: names[k], type: "line", smooth: true, color: COLORS[k], connectNulls: true,
                   data: f.trend.map(function (t) { return t[k]; }) };
        })
      }, true);
    }
    c = chart("chart-states");
    if (c) {
      c.setOption({
        animation: false,
        textStyle: { fontSize: font },
        tooltip: {},
        grid: { left: 8, right: 16, top: 8, bottom: 20, containLabel: true },
        xAxis: axis({ type: "value", minInterval: 1 }),
        yAxis: axis({ type: "category", data: f.whistles.states.map(function (s) { return s.label; }) }),
        series: [{ type: "bar", color: "#5f3dc4", data: f.whistles.states.map(function (s) { return s.n; }) }]
      }, true);
    }
    c = chart("chart-matters");
    if (c) {
      var top = f.demands.top_matters.slice().reverse();
      c.setOption({
        animation: false,
        textStyle: { fontSize: font },
        tooltip: {},
        grid: { left: 8, right: 16, top: 8, bottom: 20, containLabel: true },
        xAxis: axis({ type: "value", minInterval: 1 }),
        yAxis: axis({ type: "category", data: top.map(function (m) { return m.name; }) }),
        series: [
          { type: "bar", color: "#adb5bd", data: top.map(function (m) { return m.prev; }) },
          { type: "bar", color: "#c2255c", data: top.map(function (m) { return m.n; }) }
        ]
      }, true);
    }
  }

  function pick(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }

  function text(tag, s) { var e = document.createElement(tag); e.textContent = s; return e; }

  // Replace a list's items; an empty list shows its data-empty text (so nothing stale stays up).
  function fill(id, items, make) {
    var list = document.getElementById(id);
    if (!list) return;
    if (!items.length) {
      var empty = text("li", list.getAttribute("data-empty") || "—");
      empty.className = "muted";
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren.apply(list, items.map(make));
  }

  function detailPrefix() {
    var el = document.getElementById("overdue-list");
    return ((el && el.getAttribute("data-detail")) || "/whistles/1/").replace(/1\/$/, "");
  }

  function update(f) {
    document.querySelectorAll("[data-k]").forEach(function (el) {
      var v = pick(f, el.getAttribute("data-k"));
      if (v != null) el.textContent = String(v);
    });
    var up = document.getElementById("updated");
    if (up) up.textContent = up.textContent.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, f.updated);
    fill("overdue-list", f.whistles.overdue, function (o) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = detailPrefix() + o.whistle_id + "/";
      a.textContent = o.number;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + o.title + " · " + o.department + " · " + o.state + " · "));
      li.appendChild(text("strong", o.hours + " h"));
      return li;
    });
    fill("top-matters", f.demands.top_matters, function (m) { return text("li", m.name + " " + m.n); });
    fill("hotspots", f.hotspots, function (h) {
      return text("li", h.place + " · " + h.matter + " " + h.count + (h.ratio ? " ×" + h.ratio : ""));
    });
    draw(f);
  }

  var map, markerLayer;
  function startMap() {
    var el = document.getElementById("command-map");
    if (!el || typeof L === "undefined") return;
    var d = el.dataset;
    map = L.map(el, { zoomControl: true, minZoom: 8, maxZoom: 18 });
    if (d.tileUrl) L.tileLayer(d.tileUrl, { attribution: d.tileAttribution || "" }).addTo(map);
    var b = (d.bounds || "").split(",").map(Number);
    if (b.length === 4 && b.every(isFinite)) map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
    else map.setView([40.14, 117.12], 11);
    markerLayer = L.layerGroup().addTo(map);
    if (d.boundariesUrl) {
      fetch(d.boundariesUrl + "?level=TOWNSHIP", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (fc) {
          if (!fc) return;
          L.geoJSON(fc, {
            style: function () { return { color: "#4dabf7", weight: 2, fillOpacity: 0.05 }; },
            onEachFeature: function (ft, layer) {
              // a text node: boundary names come from imported files and are never HTML
              layer.bindTooltip(text("span", String((ft.properties || {}).name || "")));
            }
          }).addTo(map).bringToBack();
        }).catch(function () {});
    }
  }

  function showMarkers(markers) {
    if (!markerLayer) return;
    var el = document.getElementById("command-map");
    var detail = el.dataset.detail.replace(/1\/$/, "");
    markerLayer.clearLayers();
    markers.forEach(function (m) {
      L.circleMarker([m.lat, m.lng], { radius: 9, className: "wm " + m.state, weight: 2 })
        .bindPopup(function () {
          var a = document.createElement("a");
          a.href = detail + m.id + "/";
          a.textContent = m.number + " " + m.title;
          return a;
        })
        .addTo(markerLayer);
    });
    el.setAttribute("data-markers", String(markers.length));
  }

  function refresh() {
    var url = document.body.getAttribute("data-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (f) { update(f); showMarkers(f.markers || []); })
      .catch(function () { document.body.classList.add("stale"); });
  }

  function start() {
    var node = document.getElementById("figures");
    if (node) draw(JSON.parse(node.textContent));
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    if (!document.body.classList.contains("command")) return;
    startMap();
    refresh();
    var every = Number(document.body.getAttribute("data-refresh")) || 60;
    setInterval(refresh, every * 1000);
    var fs = document.getElementById("fullscreen");
    if (fs) fs.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(function () {});
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
