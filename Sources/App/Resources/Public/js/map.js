// The report form's map (issue 19): progressive enhancement only. Without this file, or when tiles do not load,
// the form is sent with the address alone (the hidden lat/lng fields stay empty).
// A tile grid of the configured slippy-map server (Web Mercator, 256-pixel tiles; the same arithmetic as
// AduanCore's SlippyMap): drag or arrow keys to move, + and − to zoom, a click, a tap or Enter to drop the pin
// (Enter drops it at the cross in the middle), "remove pin" to take it away.
(function () {
  "use strict";
  var TILE = 256, MIN_ZOOM = 2, MAX_ZOOM = 19, MAX_LAT = 85.0511287798;

  function worldPixel(lat, lng, zoom) {
    var n = Math.pow(2, zoom) * TILE;
    var rad = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180;
    return { x: (lng + 180) / 360 * n, y: (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * n };
  }

  function point(x, y, zoom) {
    var n = Math.pow(2, zoom) * TILE;
    var lng = x / n * 360 - 180;
    lng = ((lng + 180) % 360 + 360) % 360 - 180;
    var lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    return { lat: lat, lng: lng };
  }

  function fixed(value) { return (Math.round(value * 1e6) / 1e6).toFixed(6); }

  function setUp(box) {
    var form = box.form || box.closest("form");
    var latInput = form.querySelector("input[name=lat]"), lngInput = form.querySelector("input[name=lng]");
    var view = box.querySelector(".map-view"), status = box.querySelector(".map-status");
    var removeButton = box.querySelector("[data-map=remove]");
    var template = box.getAttribute("data-template");
    var zoom = parseInt(box.getAttribute("data-zoom"), 10) || 12;
    var pin = null;
    if (latInput.value !== "" && lngInput.value !== "" && isFinite(+latInput.value) && isFinite(+lngInput.value)) {
      pin = { lat: +latInput.value, lng: +lngInput.value };
      zoom = Math.max(zoom, 16);
    }
    var start = pin || { lat: parseFloat(box.getAttribute("data-lat")) || 0, lng: parseFloat(box.getAttribute("data-lng")) || 0 };
    var center = worldPixel(start.lat, start.lng, zoom);
    var tiles = {}, loaded = 0, failed = 0;
    var marker = document.createElement("span");
    marker.className = "map-marker";
    marker.setAttribute("aria-hidden", "true");
    view.appendChild(marker);

    function said(name, values) {
      var text = box.getAttribute("data-said-" + name) || "";
      Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
      return text;
    }
    function announce(text) { status.textContent = text; }

    function render() {
      var w = view.clientWidth, h = view.clientHeight;
      var left = center.x - w / 2, top = center.y - h / 2;
      var world = Math.pow(2, zoom), wanted = {};
      for (var ty = Math.floor(top / TILE); ty <= Math.floor((top + h - 1) / TILE); ty++) {
        if (ty < 0 || ty >= world) continue;
        for (var tx = Math.floor(left / TILE); tx <= Math.floor((left + w - 1) / TILE); tx++) {
          var key = zoom + "/" + tx + "/" + ty;
          wanted[key] = true;
          var img = tiles[key];
          if (!img) {
            img = document.createElement("img");
            img.alt = ""; img.draggable = false; img.className = "map-tile";
            img.addEventListener("load", function () { loaded++; });
            img.addEventListener("error", function () {
              failed++;
              if (loaded === 0 && failed >= 2) { box.classList.add("map-failed"); announce(said("failed")); }
            });
            var wrapped = ((tx % world) + world) % world;
            img.src = template.replace("{z}", zoom).replace("{x}", wrapped).replace("{y}", ty);
            tiles[key] = img;
            view.insertBefore(img, marker);
          }
          img.style.left = Math.floor(tx * TILE - left) + "px";
          img.style.top = Math.floor(ty * TILE - top) + "px";
        }
      }
      Object.keys(tiles).forEach(function (key) {
        if (!wanted[key]) { view.removeChild(tiles[key]); delete tiles[key]; }
      });
      if (pin) {
        var p = worldPixel(pin.lat, pin.lng, zoom);
        marker.hidden = false;
        marker.style.left = (p.x - left) + "px";
        marker.style.top = (p.y - top) + "px";
      } else {
        marker.hidden = true;
      }
      removeButton.hidden = !pin;
    }

    function drop(lat, lng) {
      pin = { lat: lat, lng: lng };
      latInput.value = fixed(lat); lngInput.value = fixed(lng);
      render();
      announce(said("dropped", { coordinates: fixed(lat) + ", " + fixed(lng) }));
    }

    function dropAt(offsetX, offsetY) {
      var w = view.clientWidth, h = view.clientHeight;
      var p = point(center.x - w / 2 + offsetX, center.y - h / 2 + offsetY, zoom);
      drop(p.lat, p.lng);
    }

    function setZoom(next) {
      next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, next));
      if (next === zoom) return;
      var c = point(center.x, center.y, zoom);
      zoom = next;
      center = worldPixel(c.lat, c.lng, zoom);
      render();
    }

    function pan(dx, dy) {
      var n = Math.pow(2, zoom) * TILE;
      center = { x: center.x + dx, y: Math.max(0, Math.min(n, center.y + dy)) };
      render();
    }

    // Pointer: a drag moves the map; a press that hardly moved drops the pin where it was.
    var drag = null;
    view.addEventListener("pointerdown", function (e) {
      if (e.button !== undefined && e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, lastX: e.clientX, lastY: e.clientY, moved: false };
      if (view.setPointerCapture) { try { view.setPointerCapture(e.pointerId); } catch (ignored) {} }
    });
    view.addEventListener("pointermove", function (e) {
      if (!drag || drag.id !== e.pointerId) return;
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 6) drag.moved = true;
      if (drag.moved) { pan(drag.lastX - e.clientX, drag.lastY - e.clientY); e.preventDefault(); }
      drag.lastX = e.clientX; drag.lastY = e.clientY;
    });
    function endDrag(e) {
      if (!drag || drag.id !== e.pointerId) return;
      var wasClick = !drag.moved && e.type === "pointerup";
      drag = null;
      if (wasClick) {
        var rect = view.getBoundingClientRect();
        dropAt(e.clientX - rect.left - view.clientLeft, e.clientY - rect.top - view.clientTop);
      }
    }
    view.addEventListener("pointerup", endDrag);
    view.addEventListener("pointercancel", endDrag);

    view.addEventListener("keydown", function (e) {
      var step = 64;
      switch (e.key) {
        case "ArrowLeft": pan(-step, 0); break;
        case "ArrowRight": pan(step, 0); break;
        case "ArrowUp": pan(0, -step); break;
        case "ArrowDown": pan(0, step); break;
        case "+": case "=": setZoom(zoom + 1); break;
        case "-": case "_": setZoom(zoom - 1); break;
        case "Enter": case " ": dropAt(view.clientWidth / 2, view.clientHeight / 2); break;
        default: return;
      }
      e.preventDefault();
    });

    box.querySelector("[data-map=zoom-in]").addEventListener("click", function () { setZoom(zoom + 1); });
    box.querySelector("[data-map=zoom-out]").addEventListener("click", function () { setZoom(zoom - 1); });
    removeButton.addEventListener("click", function () {
      pin = null; latInput.value = ""; lngInput.value = "";
      render();
      announce(said("removed"));
      view.focus();
    });
    var locate = box.querySelector("[data-map=locate]");
    if (!navigator.geolocation) {
      locate.hidden = true;
    } else {
      locate.addEventListener("click", function () {
        announce(said("locating"));
        navigator.geolocation.getCurrentPosition(function (position) {
          zoom = Math.max(zoom, 17);
          center = worldPixel(position.coords.latitude, position.coords.longitude, zoom);
          drop(position.coords.latitude, position.coords.longitude);
        }, function () { announce(said("no-location")); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    window.addEventListener("resize", render);
    box.hidden = false;
    render();
  }

  function start() {
    var box = document.getElementById("map-picker");
    if (box && box.getAttribute("data-template")) setUp(box);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
