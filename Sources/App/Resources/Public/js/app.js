// Progressive enhancement only: every task works without this file.
(function () {
  "use strict";
  var input = document.getElementById("attachments");
  if (!input) return;
  var box = document.getElementById("attachment-previews");
  var maxFiles = parseInt(input.getAttribute("data-max-files") || "5", 10);
  var maxBytes = parseInt(input.getAttribute("data-max-mb") || "10", 10) * 1048576;
  var allowed = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
  input.addEventListener("change", function () {
    box.textContent = "";
    var problems = [];
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > maxFiles) problems.push("Maks. " + maxFiles + " berkas / files");
    files.forEach(function (file) {
      if (allowed.indexOf(file.type) < 0) problems.push(file.name + ": JPEG, PNG, WebP, PDF");
      if (file.size > maxBytes) problems.push(file.name + ": > " + (maxBytes / 1048576) + " MB");
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
    input.setCustomValidity(problems.join("; "));
    if (problems.length) input.reportValidity();
  });
})();
