// Inside the widget's iframe: tell the embedding page how tall the form is,
// on load and on every change, so the iframe never shows a scrollbar.
(function () {
  // The page that framed the form is the referrer of its first load. After a
  // full reload inside the frame the referrer is Leadgate itself: then any
  // origin may hear the height, which is no secret.
  var parentOrigin = "*";
  try {
    var origin = document.referrer && new URL(document.referrer).origin;
    if (origin && origin !== window.location.origin) parentOrigin = origin;
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
