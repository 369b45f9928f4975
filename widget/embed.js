// Leadgate embed loader, served at /embed.js. Plain JavaScript, no build step.
//
//   <script src="https://leads.example.nl/embed.js" data-form="demo-ebook" async></script>
//
// Renders each form in an iframe that resizes to its content, with the
// attribution of the page it is on (its address, UTM values, click ids and an
// external referrer) and the site's own values (data-field-<name>, sent as
// field_<name>). Nothing is stored in the browser: no cookies, no
// storage. Only a site that asks for it with data-remember="session" (on any
// of its Leadgate script tags, e.g. a tag without data-form on every page)
// keeps the visit's first page in sessionStorage, so a form on a later page
// still credits the ad the visitor came from; such a site needs the visitor's
// consent for that. Options: data-target (CSS selector to render into),
// data-lang, data-channel, data-title, data-remember, data-field-<name>.
//
// A frame that has not reported its height within WAIT ms (refused by the
// form's site list, Leadgate unreachable, blocked by an extension) never
// shows as an empty box: a link to the hosted form, with the same query,
// takes its place, and one console line tells the site owner why (asked of
// /f/<slug>/embeddable, since a page cannot see why a cross-origin frame
// failed). A frame that reports in later still wins over its link.
(function (w, d) {
  var KEY = "leadgate:touch";
  var PARAMS = "utm_source utm_medium utm_campaign utm_term utm_content gclid gbraid wbraid msclkid fbclid li_fat_id".split(" ");
  var WAIT = 3000;
  // Inline and !important: the host page's own CSS must not hide or restyle the link.
  var LINK_STYLE = "display:inline-block;margin:8px 0;padding:10px 18px;border:0;border-radius:6px;outline-offset:2px;background:#1d5bd8;color:#fff;font:600 16px/1.4 system-ui,sans-serif;text-decoration:none;".replace(/;/g, "!important;");
  var me = d.currentScript;
  if (!me || !w.URLSearchParams) return;
  var src = me.src.split("?")[0];
  var origin = new URL(src).origin;
  var resizers = [], told = {};

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
    ["lang", "channel"].forEach(function (name) {
      var value = script.getAttribute("data-" + name);
      if (value) query.set(name, value);
    });
    [].forEach.call(script.attributes, function (attribute) {
      var name = /^data-field-(.+)/.exec(attribute.name);
      if (name) query.set("field_" + name[1], attribute.value);
    });
    var hosted = origin + "/f/" + encodeURIComponent(slug), link = d.createElement("a");
    link.href = hosted + "?" + query;
    query.set("embed", "1");
    var frame = d.createElement("iframe"), title = script.getAttribute("data-title");
    frame.src = hosted + "?" + query;
    frame.title = title || "Form";
    frame.setAttribute("data-leadgate", key);
    frame.setAttribute("scrolling", "no");
    frame.style.cssText = "display:block;width:100%;height:460px;border:0;overflow:hidden";
    var box = target && d.querySelector(target);
    if (box) box.appendChild(frame);
    else script.parentNode.insertBefore(frame, script.nextSibling);
    // No height in time: the frame stays, hidden at full width (so a late height is right), behind a link.
    var timer = setTimeout(function () {
      // Unless the page took the form away itself.
      if (!frame.parentNode) return;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = title || (/^nl/i.test(script.getAttribute("data-lang") || d.documentElement.lang) ? "Open het formulier" : "Open the form");
      link.style.cssText = LINK_STYLE;
      // Many sites remove focus outlines; this link keeps one.
      link.onfocus = link.onblur = function (event) {
        link.style.setProperty("outline", event.type == "focus" ? "3px solid #1d2433" : "0", "important");
      };
      frame.style.visibility = "hidden";
      frame.style.height = "0";
      frame.parentNode.insertBefore(link, frame);
      explain(slug, hosted);
    }, WAIT);
    resizers.push(function (source, height) {
      if (frame.contentWindow !== source) return;
      clearTimeout(timer);
      frame.style.height = height + "px";
      frame.style.visibility = "";
      link.remove();
    });
  }

  // One console line per form for the site owner.
  function explain(slug, hosted) {
    var form = "Leadgate: form " + slug;
    if (told[slug]) return;
    told[slug] = 1;
    fetch(hosted + "/embeddable").then(function (answer) {
      // Any other failure (a 5xx, a proxy's page) counts as unreachable.
      return answer.status == 404 ? null : answer.ok ? answer.json() : Promise.reject();
    }).then(function (found) {
      console.warn(!found ? form + ' does not exist or is archived; check data-form="' + slug + '"'
        : found.allowed ? form + " did not load (blocked by the browser or an extension?); showing a link instead"
        : form + " is not allowed on " + found.origin + "; add it in Admin \u2192 Forms");
    }, function () {
      console.warn("Leadgate: " + origin + " cannot be reached; showing a link to form " + slug + " instead");
    });
  }

  w.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "leadgate:height") return;
    resizers.forEach(function (resize) {
      resize(event.source, Math.ceil(data.height));
    });
  });

  var touch = firstTouch();
  var scripts = d.querySelectorAll("script[src]:not([data-leadgate])");
  for (var i = 0; i < scripts.length; i++) {
    if (scripts[i].src.split("?")[0] === src) render(scripts[i], touch);
  }
})(window, document);
