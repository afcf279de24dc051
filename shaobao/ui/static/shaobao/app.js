// 哨报 page behaviour: countdowns, the phone's position for check-in, confirmations.
// No inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;

  function fmt(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var text = zh
      ? (d ? d + "天" : "") + (d || h ? h + "小时" : "") + m + "分"
      : (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m";
    return late ? (zh ? "已超时 " : "overdue ") + text : (zh ? "剩余 " : "left ") + text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(t)) return;
      el.textContent = fmt(t - now);
      el.classList.toggle("late", t < now);
    });
  }
  setInterval(tick, 15000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-locate]");
    if (!btn) return;
    ev.preventDefault();
    var form = btn.closest("form");
    var out = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) { if (out) out.textContent = zh ? "此设备无法定位" : "No location on this device"; return; }
    if (out) out.textContent = zh ? "正在定位…" : "Locating…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
      form.querySelector("[name=accuracy_m]").value = Math.round(pos.coords.accuracy);
      if (out) out.textContent = (zh ? "已定位，精度约 " : "Located, about ") + Math.round(pos.coords.accuracy) + " m";
    }, function () {
      if (out) out.textContent = zh ? "定位失败，可不带位置报到" : "Could not locate; you may check in without it";
    }, { enableHighAccuracy: true, timeout: 10000 });
  });

  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
})();
