// Inside the widget's iframe: tell the embedding page how tall the form is,
// on load and on every change, so the iframe never shows a scrollbar.
(function () {
  var parentOrigin = "*";
  try {
    if (document.referrer) parentOrigin = new URL(document.referrer).origin;
  } catch (e) {}
  var last = 0;
  function report() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last || window.parent === window) return;
    last = height;
    window.parent.postMessage({ type: "leadgate:height", height: height }, parentOrigin);
  }
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  window.addEventListener("load", report);
  document.addEventListener("htmx:afterSettle", report);
  report();
})();
