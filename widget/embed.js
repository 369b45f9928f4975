// Leadgate embed loader, served at /embed.js. Plain JavaScript, no build step.
//
//   <script src="https://leads.example.nl/embed.js" data-form="demo-ebook" async></script>
//
// Renders each form in an iframe that resizes to its content, with the
// attribution of the page it is on (its address, UTM values, click ids and an
// external referrer). Nothing is stored in the browser: no cookies, no
// storage. Only a site that asks for it with data-remember="session" (on any
// of its Leadgate script tags, e.g. a tag without data-form on every page)
// keeps the visit's first page in sessionStorage, so a form on a later page
// still credits the ad the visitor came from; such a site needs the visitor's
// consent for that. Options: data-target (CSS selector to render into),
// data-lang, data-channel, data-title, data-remember.
(function (w, d) {
  var KEY = "leadgate:touch";
  var PARAMS = "utm_source utm_medium utm_campaign utm_term utm_content gclid gbraid wbraid msclkid fbclid li_fat_id".split(" ");
  var me = d.currentScript;
  if (!me || !w.URLSearchParams) return;
  var src = me.src.split("?")[0];
  var origin = new URL(src).origin;
  var frames = [];

  // Storage only when the site asked for it; the property is not even read otherwise.
  function storage() {
    if (!d.querySelector('script[data-remember="session"]')) return null;
    try { return w.sessionStorage; } catch (e) { return null; }
  }

  // With data-remember, the first page of the visit wins; later pages reuse what it recorded.
  function firstTouch() {
    var s = storage(), saved = s && s.getItem(KEY);
    if (saved) {
      try { return JSON.parse(saved); } catch (e) {}
    }
    var query = new URLSearchParams(w.location.search), touch = { landing_page: w.location.href };
    PARAMS.forEach(function (name) {
      if (query.get(name)) touch[name] = query.get(name);
    });
    var ref = d.referrer;
    try {
      if (ref && new URL(ref).host !== w.location.host) touch.referrer = ref;
    } catch (e) {}
    if (s) {
      try { s.setItem(KEY, JSON.stringify(touch)); } catch (e) {}
    }
    return touch;
  }

  function render(script, touch) {
    var slug = script.getAttribute("data-form"), target = script.getAttribute("data-target");
    script.setAttribute("data-leadgate", "done");
    if (!slug) return;
    // The same snippet pasted twice renders one form.
    var key = "leadgate:" + slug + ":" + (target || "");
    if (d.querySelector('iframe[data-leadgate="' + key + '"]')) return;
    var query = new URLSearchParams(touch);
    query.set("page_url", w.location.href);
    query.set("embed", "1");
    ["lang", "channel"].forEach(function (name) {
      var value = script.getAttribute("data-" + name);
      if (value) query.set(name, value);
    });
    var frame = d.createElement("iframe");
    frame.src = origin + "/f/" + encodeURIComponent(slug) + "?" + query;
    frame.title = script.getAttribute("data-title") || "Form";
    frame.setAttribute("data-leadgate", key);
    frame.setAttribute("scrolling", "no");
    frame.style.cssText = "display:block;width:100%;height:460px;border:0;overflow:hidden";
    var box = target && d.querySelector(target);
    if (box) box.appendChild(frame);
    else script.parentNode.insertBefore(frame, script.nextSibling);
    frames.push(frame);
  }

  w.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "leadgate:height") return;
    frames.forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.style.height = Math.ceil(data.height) + "px";
    });
  });

  var touch = firstTouch();
  var scripts = d.querySelectorAll("script[src]:not([data-leadgate])");
  for (var i = 0; i < scripts.length; i++) {
    if (scripts[i].src.split("?")[0] === src) render(scripts[i], touch);
  }
})(window, document);
