// 哨报 map page: scoped outlines (街乡/社区村/网格) and clustered markers of open problems and
// demands. Everything comes from this site (CSP: no inline scripts, no other origins); a tile
// layer is added only when the deployment configured one (SHAOBAO_MAP_TILE_URL).
(function () {
  "use strict";

  function start() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var d = el.dataset;
    var status = document.getElementById("map-status");
    var map = L.map(el, { zoomControl: true, preferCanvas: false, minZoom: 8, maxZoom: 18 });

    map.attributionControl.setPrefix("Leaflet");
    if (d.tileUrl) {
      L.tileLayer(d.tileUrl, { attribution: d.tileAttribution || "", maxZoom: 18 }).addTo(map);
    }

    var bounds = (d.bounds || "").split(",").map(Number);
    var center = (d.center || "").split(",").map(Number);
    if (bounds.length === 4 && bounds.every(isFinite)) {
      map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: [10, 10] });
    } else if (center.length === 2 && center.every(isFinite)) {
      map.setView(center, 12);
    } else {
      map.setView([40.14, 117.12], 11); // 平谷区
    }

    var styles = {
      TOWNSHIP: { color: "#5f3dc4", weight: 2.5, fill: true, fillOpacity: 0.04 },
      COMMUNITY: { color: "#2b8a3e", weight: 1.5, fill: true, fillOpacity: 0.03, dashArray: "4 3" },
      GRID: { color: "#868e96", weight: 1, fill: true, fillOpacity: 0.02, dashArray: "2 3" }
    };
    // Finer levels appear only when zoomed in far enough to read them.
    var minZoom = { TOWNSHIP: 0, COMMUNITY: 12, GRID: 14 };
    var layers = {};
    var overlays = {};
    [["TOWNSHIP", d.labelTownship], ["COMMUNITY", d.labelCommunity], ["GRID", d.labelGrid]].forEach(function (x) {
      var level = x[0];
      layers[level] = L.geoJSON(null, {
        style: function () { return styles[level]; },
        onEachFeature: function (f, layer) {
          var p = f.properties || {};
          layer.bindTooltip(String(p.name || "") + " " + String(p.code || ""), { sticky: true });
        }
      }).addTo(map);
      overlays[x[1]] = layers[level];
    });

    var problems = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    var demands = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    problems.addTo(map);
    demands.addTo(map);
    overlays[d.labelProblems] = problems;
    overlays[d.labelDemands] = demands;
    L.control.layers(null, overlays, { collapsed: window.innerWidth < 600 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    function bboxParam() {
      return encodeURIComponent(map.getBounds().pad(0.2).toBBoxString());
    }

    function getJSON(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    }

    function fail() { if (status) status.textContent = d.labelFailed; }

    function loadBoundaries() {
      Object.keys(layers).forEach(function (level) {
        var layer = layers[level];
        if (map.getZoom() < minZoom[level]) { layer.clearLayers(); return; }
        getJSON(d.boundariesUrl + "?level=" + level + "&bbox=" + bboxParam()).then(function (fc) {
          layer.clearLayers();
          layer.addData(fc);
          el.setAttribute("data-loaded-" + level.toLowerCase(), String(fc.features.length));
        }).catch(fail);
      });
    }

    function popup(m) {
      // Built from text nodes: titles are typed by people and must never become markup.
      var box = document.createElement("div");
      var title = document.createElement("div");
      title.className = "sb-popup-title";
      title.textContent = m.number + " " + (m.title || "");
      box.appendChild(title);
      var meta = document.createElement("div");
      meta.textContent = [m.township, m.status].filter(Boolean).join(" · ");
      box.appendChild(meta);
      if (m.url) {
        var a = document.createElement("a");
        a.href = m.url;
        a.textContent = d.labelOpen;
        box.appendChild(a);
      }
      return box;
    }

    function loadMarkers() {
      getJSON(d.markersUrl + "?bbox=" + bboxParam()).then(function (data) {
        problems.clearLayers();
        demands.clearLayers();
        var np = 0, nd = 0, p = [], q = [];
        data.markers.forEach(function (m) {
          var icon = L.divIcon({ className: "sb-marker sb-marker-" + m.kind, iconSize: [14, 14] });
          var mk = L.marker([m.lat, m.lng], { icon: icon, title: m.number, keyboard: true });
          mk.bindPopup(popup(m));
          if (m.kind === "problem") { p.push(mk); np++; } else { q.push(mk); nd++; }
        });
        problems.addLayers(p);
        demands.addLayers(q);
        el.setAttribute("data-loaded-markers", String(np + nd));
        if (status) {
          status.textContent = d.labelLoaded.replace("%(p)s", np).replace("%(d)s", nd) +
            (data.truncated ? d.labelTruncated : "");
        }
      }).catch(fail);
    }

    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { loadBoundaries(); loadMarkers(); }, 250);
    });
    loadBoundaries();
    loadMarkers();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
