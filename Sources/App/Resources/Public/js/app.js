// Progressive enhancement only: every task works without this file.
// File fields: a file too big, of a type not taken, or too many files is named beside the field in the page's
// language (the messages come from the page, `data-msg-*`), and the form is not sent until it is put right.
(function () {
  "use strict";
  var allowed = ["image/jpeg", "image/png", "image/webp", "application/pdf"];

  function limitBytes(input) {
    if (input.hasAttribute("data-max-bytes")) return parseInt(input.getAttribute("data-max-bytes"), 10) || 10485760;
    return (parseInt(input.getAttribute("data-max-mb") || "10", 10) || 10) * 1048576;
  }

  function say(input, name, file) {
    var text = input.getAttribute("data-msg-" + name) || "";
    return text.replace("{file}", file || "").replace("{mb}", String(Math.floor(limitBytes(input) / 1048576)))
      .replace("{n}", input.getAttribute("data-max-files") || "");
  }

  function problems(input) {
    var found = [];
    var files = Array.prototype.slice.call(input.files || []);
    var maxFiles = parseInt(input.getAttribute("data-max-files") || "0", 10);
    if (maxFiles && files.length > maxFiles) found.push(say(input, "count"));
    files.forEach(function (file) {
      if (file.size > limitBytes(input)) found.push(say(input, "large", file.name));
      else if (file.type && allowed.indexOf(file.type) < 0) found.push(say(input, "type", file.name));
    });
    return found;
  }

  function show(input, found) {
    var id = input.id + "-check";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("p");
      box.id = id;
      box.className = "error";
      box.setAttribute("role", "alert");
      input.parentNode.insertBefore(box, input.nextSibling);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + id);
    }
    box.textContent = found.join(" ");
    box.hidden = found.length === 0;
    if (found.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    input.setCustomValidity(found.join(" "));
  }

  function previews(input) {
    var box = document.getElementById("attachment-previews");
    if (!box || input.id !== "attachments") return;
    box.textContent = "";
    Array.prototype.slice.call(input.files || []).forEach(function (file) {
      var figure = document.createElement("figure");
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.alt = "";
        img.src = URL.createObjectURL(file);
        figure.appendChild(img);
      }
      var caption = document.createElement("figcaption");
      caption.textContent = file.name;
      figure.appendChild(caption);
      box.appendChild(figure);
    });
  }

  var inputs = document.querySelectorAll("input[type=file][data-msg-large]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      previews(input);
      show(input, problems(input));
    });
  });

  // Forms marked `novalidate` skip the browser's own check: this one stops the sending itself.
  document.addEventListener("submit", function (event) {
    var fields = event.target.querySelectorAll("input[type=file][data-msg-large]");
    for (var i = 0; i < fields.length; i++) {
      var found = problems(fields[i]);
      show(fields[i], found);
      if (found.length) {
        event.preventDefault();
        fields[i].focus();
        return;
      }
    }
  }, true);
})();
