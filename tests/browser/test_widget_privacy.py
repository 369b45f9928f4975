"""The widget leaves nothing on the visitor's device and does not fingerprint it.

A real Chromium visits the sample customer site (another origin than
Leadgate), arrives from a campaign, goes to the e-book page and completes the
gate in the widget, download included. Before any page script runs, an init
script wraps the APIs that store data on the device or fingerprint it, in the
host page and in the widget's iframe alike, and reports every use to the test.
The sample site has no scripts of its own: whatever touched them is Leadgate's
(the loader `/embed.js` in the host page; htmx, form.js and embed-frame.js in
the iframe).

Each check runs in two Chromiums: the shared one with Playwright's defaults,
which turn storage partitioning off so that a third-party iframe (the widget)
is denied web storage altogether; and one with partitioned storage as Chrome
ships it to visitors, where the widget's iframe can store data (in a
partition of its own) and so must be seen not to.
"""

import json

import pytest
from playwright.sync_api import expect

from ..support.browser import CHROMIUM, CHROMIUM_ARGS, GATE, frame_of, send_gate

# Playwright turns off (among others) ThirdPartyStoragePartitioning; a later
# --disable-features replaces its list: this one keeps the rest of it off.
AS_VISITORS_HAVE_IT = (
    "--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,"
    "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,"
    "AvoidCorsURLLoaderRestartOnRedirect,OptimizationHints,NetworkTimeServiceQuerying"
)

# Wraps the APIs before any page script runs, in every frame. Each use is kept
# in the frame (window.__leadgatePrivacy) and reported to the test through the
# `__reportPrivacy` binding (which outlives navigations). Playwright's own
# actions run in another JavaScript world and do not go through these wrappers.
RECORDER = """
(() => {
  if (window.__leadgatePrivacy) return;
  const log = [];
  Object.defineProperty(window, "__leadgatePrivacy", { value: log });
  const note = (what) => {
    const stack = (new Error().stack || "").split("\\n").slice(3).map((s) => s.trim());
    const entry = { what, frame: String(location.href), stack: stack.join(" <- ") };
    log.push(entry);
    try { window.__reportPrivacy(entry); } catch (e) {}
  };
  const wrapMethod = (owner, name, label) => {
    const proto = owner && owner.prototype;
    const original = proto && proto[name];
    if (typeof original !== "function") return;
    proto[name] = function (...args) {
      note(typeof label === "function" ? label(this) : label);
      return original.apply(this, args);
    };
  };
  const wrapAccessor = (target, name, label) => {
    const found = target && Object.getOwnPropertyDescriptor(target, name);
    if (!found || !found.configurable || !found.get) return null;
    Object.defineProperty(target, name, {
      configurable: true,
      enumerable: found.enumerable,
      get: function () { note(label + " read"); return found.get.call(this); },
      set: found.set && function (value) { note(label + " write"); found.set.call(this, value); },
    });
    return found.get;
  };

  // Cookies.
  wrapAccessor(Document.prototype, "cookie", "document.cookie");
  for (const name of ["get", "getAll", "set", "delete"]) {
    wrapMethod(window.CookieStore, name, "cookieStore." + name);
  }
  // Web storage and IndexedDB: reaching them at all (a browser that denies
  // them throws right there), and each method.
  const local = wrapAccessor(window, "localStorage", "window.localStorage");
  wrapAccessor(window, "sessionStorage", "window.sessionStorage");
  wrapAccessor(window, "indexedDB", "window.indexedDB");
  const storageName = (storage) => {
    try { if (local && storage === local.call(window)) return "localStorage"; } catch (e) {}
    return "sessionStorage";
  };
  for (const name of ["setItem", "getItem", "removeItem", "clear", "key"]) {
    wrapMethod(Storage, name, (storage) => storageName(storage) + "." + name);
  }
  for (const name of ["open", "deleteDatabase", "databases"]) {
    wrapMethod(IDBFactory, name, "indexedDB." + name);
  }
  // Fingerprinting.
  wrapMethod(HTMLCanvasElement, "toDataURL", "canvas.toDataURL");
  wrapMethod(HTMLCanvasElement, "toBlob", "canvas.toBlob");
  wrapMethod(CanvasRenderingContext2D, "getImageData", "canvas.getImageData");
  wrapMethod(WebGLRenderingContext, "getParameter", "webgl.getParameter");
  wrapMethod(window.WebGL2RenderingContext, "getParameter", "webgl2.getParameter");
  wrapMethod(window.BaseAudioContext, "createOscillator", "audio.createOscillator");
  wrapMethod(Navigator, "getBattery", "navigator.getBattery");
  for (const name of ["plugins", "mimeTypes", "hardwareConcurrency", "deviceMemory"]) {
    wrapAccessor(Navigator.prototype, name, "navigator." + name);
  }
})();
"""

COOKIE_APIS = ("document.cookie", "cookieStore.")
STORAGE_APIS = ("window.localStorage", "window.sessionStorage", "window.indexedDB")
STORAGE_APIS += ("localStorage.", "sessionStorage.", "indexedDB.")
FINGERPRINT_APIS = ("canvas.", "webgl", "audio.", "navigator.")

DENIED = "(denied to this frame)"
# What is on the device, as the frame sees it. Run after the recorded uses are read.
DEVICE_STATE = f"""
async () => {{
  const read = async (get) => {{
    try {{ return await get(); }} catch (e) {{ return "{DENIED}"; }}
  }};
  return {{
    origin: location.origin,
    cookie: await read(() => document.cookie),
    localStorage: await read(() => ({{ ...localStorage }})),
    sessionStorage: await read(() => ({{ ...sessionStorage }})),
    indexedDB: await read(async () => (await indexedDB.databases()).map((db) => db.name)),
  }};
}}
"""


@pytest.fixture(scope="module")
def partitioning_browser(browser):
    """A second Chromium, with third-party storage partitioned as in visitors' Chrome."""
    other = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, AS_VISITORS_HAVE_IT]
    )
    yield other
    other.close()


@pytest.fixture(params=["playwright_defaults", "storage_partitioned"])
def privacy_page(request):
    if request.param == "playwright_defaults":
        yield request.getfixturevalue("page")
        return
    context = request.getfixturevalue("partitioning_browser").new_context(locale="en-US")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def recorded(privacy_page):
    """Every use of the wrapped APIs by any script in any frame of the page."""
    uses = []
    privacy_page.expose_binding("__reportPrivacy", lambda source, entry: uses.append(entry))
    privacy_page.add_init_script(RECORDER)
    return uses


def complete_the_gate_in_the_widget(page, host_site) -> None:
    """Land on the site from a campaign, go to the e-book page, fill both steps
    of the widget and download the e-book."""
    page.goto(f"{host_site}/?utm_source=linkedin&utm_medium=social&utm_campaign=privacy")
    page.get_by_role("link", name="Download the free e-book").click()
    expect(page).to_have_url(f"{host_site}/resources")
    gate = send_gate(page)
    with page.expect_download() as download:
        gate.get_by_role("link", name="Download the e-book").click()
    assert download.value.suggested_filename == "lead-management.pdf"
    download.value.path()  # finished


def uses_of(page, recorded, apis) -> list[dict]:
    """The recorded uses of `apis`: those reported so far, and those kept in the
    host page and the widget's frame (read before any check of the test's own)."""
    kept = page.evaluate("window.__leadgatePrivacy") + frame_of(page, GATE).evaluate(
        "window.__leadgatePrivacy"
    )
    seen, found = set(), []
    for entry in [*recorded, *kept]:
        key = json.dumps(entry, sort_keys=True)
        if entry["what"].startswith(apis) and key not in seen:
            seen.add(key)
            found.append(entry)
    return found


def described(uses) -> str:
    return "; ".join(f"{use['what']} in {use['frame']} at {use['stack']}" for use in uses)


def device_state(page) -> list[dict]:
    """Cookies, web storage and IndexedDB as the host page and the widget see them."""
    return [page.evaluate(DEVICE_STATE), frame_of(page, GATE).evaluate(DEVICE_STATE)]


def test_the_widget_sets_no_cookies(app, host_site, privacy_page, recorded):
    complete_the_gate_in_the_widget(privacy_page, host_site)

    uses = uses_of(privacy_page, recorded, COOKIE_APIS)

    assert uses == [], "cookies used by: " + described(uses)
    assert privacy_page.context.cookies() == []
    host, widget = device_state(privacy_page)
    assert (host["cookie"], widget["cookie"]) == ("", "")


def test_the_widget_keeps_nothing_in_local_or_session_storage_or_indexeddb(
    app, host_site, privacy_page, recorded
):
    complete_the_gate_in_the_widget(privacy_page, host_site)

    uses = uses_of(privacy_page, recorded, STORAGE_APIS)
    host, widget = device_state(privacy_page)
    kept = {
        f"{side['origin']} {store}": side[store]
        for side in (host, widget)
        for store in ("localStorage", "sessionStorage", "indexedDB")
        if side[store] not in ({}, [], DENIED)
    }

    assert (kept, uses) == ({}, []), (
        f"left on the device: {kept}\nweb storage used by: {described(uses)}"
    )


def test_the_widget_does_no_fingerprinting(app, host_site, privacy_page, recorded):
    complete_the_gate_in_the_widget(privacy_page, host_site)

    uses = uses_of(privacy_page, recorded, FINGERPRINT_APIS)

    assert uses == [], "fingerprinting APIs used by: " + described(uses)


# A page script using each wrapped API once; storage may be denied in the frame.
PROBE = """
async () => {
  const attempt = async (use) => { try { await use(); } catch (e) {} };
  await attempt(() => document.cookie);
  await attempt(() => sessionStorage);
  await attempt(() => localStorage);
  await attempt(() => indexedDB);
  await attempt(() => navigator.plugins);
  await attempt(() => navigator.hardwareConcurrency);
  const canvas = document.createElement("canvas");
  await attempt(() => canvas.getContext("2d").getImageData(0, 0, 1, 1));
  await attempt(() => canvas.toDataURL());
  return window.__leadgatePrivacy.map((use) => use.what);
}
"""
PROBED = [
    "document.cookie read",
    "window.sessionStorage read",
    "window.localStorage read",
    "window.indexedDB read",
    "navigator.plugins read",
    "navigator.hardwareConcurrency read",
    "canvas.getImageData",
    "canvas.toDataURL",
]


def test_the_recorder_sees_page_scripts_use_these_apis_in_both_frames(
    app, host_site, privacy_page, recorded
):
    """The checks above can fail: a script's use of each API is recorded and
    reported, in the host page and in the cross-origin widget frame."""
    privacy_page.goto(f"{host_site}/resources")
    expect(privacy_page.frame_locator(GATE).get_by_label("Work e-mail")).to_be_visible()
    before = len(recorded)

    in_host = privacy_page.evaluate(PROBE)
    in_widget = frame_of(privacy_page, GATE).evaluate(PROBE)

    assert in_host[-len(PROBED) :] == PROBED
    assert in_widget[-len(PROBED) :] == PROBED
    for _ in range(100):  # the reports arrive asynchronously
        if len(recorded) - before >= 2 * len(PROBED):
            break
        privacy_page.wait_for_timeout(50)
    reported = recorded[before:]
    assert sorted(use["what"] for use in reported) == sorted(PROBED * 2)
    assert {use["frame"].split("/")[2] for use in reported} == {
        host_site.split("/")[2],
        frame_of(privacy_page, GATE).url.split("/")[2],
    }
