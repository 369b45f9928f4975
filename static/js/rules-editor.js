// The rules editor: once a field changes, the preview below it no longer
// shows the rules as typed. Marked here rather than in an inline handler,
// which the Content-Security-Policy does not allow.
(function (d) {
  d.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-outdates]");
    var preview = form && d.getElementById(form.getAttribute("data-outdates"));
    if (preview) preview.classList.add("rules-preview--outdated");
  });
})(document);
