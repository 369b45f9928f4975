"""The widget's time to interactive: `python bench/widget_tti.py`.

Serves Leadgate under gunicorn (gunicorn.conf.py, a fresh SQLite database
with the demo forms) and the sample customer site (sample_site/) on another
origin, whose /contact page embeds the demo form with the one-line snippet.
Headless Chromium (Debian's, /usr/bin/chromium) opens that page again and
again and times, from the host page's navigation start (with the steps
before it for a breakdown: host page parsed, loader in, iframe started,
form document in):

- painted: the form's first paint inside the iframe (its first contentful paint);
- email visible: the e-mail field laid out, shown and enabled;
- interactive: that, and the frame's DOMContentLoaded done (htmx and the
  form scripts have run, so the form posts in place);
- frame load: the iframe's load event (every stylesheet and script in).

Cold: every load in a fresh browser context (empty cache, new connections).
Warm: one context, primed by one load (the loader and static files come
from the cache; the form document is never cached). Over loopback, so this
is the browser's and the server's share only: add the network's round trips.
"""

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from intake_throughput import (
    ROOT,
    app_env,
    database,
    default_workers,
    free_port,
    gunicorn,
    percentile,
    run,
)
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, str(ROOT))

from sample_site import create_app as create_sample_site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FRAME = "iframe[data-leadgate]"
# Runs in every document before its own scripts; records, in the widget's
# frame only, when each milestone happened (epoch milliseconds, comparable
# with the host page's performance.timeOrigin).
PROBE = """
(() => {
  if (!location.pathname.startsWith("/f/")) return;
  const times = (window.__lgTimes = {});
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener("DOMContentLoaded", () => {
    setTimeout(() => { times.ready = now(); });  // after htmx's own handler
  });
  addEventListener("load", () => {
    times.load = now();
    const document_ = performance.getEntriesByType("navigation")[0];
    times.frame_start = performance.timeOrigin;
    times.document = performance.timeOrigin + document_.responseEnd;
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === "first-contentful-paint" && !times.painted) {
        times.painted = performance.timeOrigin + entry.startTime;
      }
    }
  }).observe({ type: "paint", buffered: true });
  // requestAnimationFrame runs just before a frame is painted: the first one
  // that finds the field laid out is when it appears.
  const look = () => {
    const field = document.querySelector("input[name=email]");
    const box = field && field.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0 && !field.disabled) times.visible = now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""
DONE = (
    "() => { const t = window.__lgTimes; return t && t.visible && t.ready && t.load && t.painted; }"
)
# The host page's own milestones, for the breakdown.
HOST = """() => {
  const page = performance.getEntriesByType("navigation")[0];
  const loader = performance.getEntriesByType("resource").find((e) => e.name.includes("/embed.js"));
  return { host_ready: page.domContentLoadedEventEnd, loader: loader ? loader.responseEnd : NaN };
}"""
MILESTONES = {
    "host_ready": "host page DOMContentLoaded",
    "loader": "/embed.js received",
    "frame_start": "widget iframe starts loading",
    "document": "form document received",
    "painted": "form painted (first contentful paint)",
    "visible": "e-mail field visible and enabled",
    "interactive": "**interactive** (field visible, htmx and form scripts run)",
    "load": "iframe load event",
    "playwright": "field visible as Playwright sees it (goto → wait)",
}


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


def serve_in_thread(wsgi_app, port: int):
    server = make_server("localhost", port, wsgi_app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_load(context, url: str) -> dict[str, float]:
    """Open `url` in a new page of `context`; return each milestone in ms after navigation start."""
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.frame_locator(FRAME).locator("input[name=email]").wait_for(state="visible")
        wall = (time.perf_counter() - started) * 1000
        frame = page.wait_for_selector(FRAME).content_frame()
        frame.wait_for_function(DONE)
        assert frame.locator("input[name=email]").is_enabled()
        origin = page.evaluate("performance.timeOrigin")
        measured = page.evaluate(HOST)
        times = frame.evaluate("window.__lgTimes")
    finally:
        page.close()
    for name in ("frame_start", "document", "painted", "visible", "load"):
        measured[name] = times[name] - origin
    measured["interactive"] = max(times["visible"], times["ready"]) - origin
    measured["playwright"] = wall
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loads", type=int, default=20, help="loads per case")
    parser.add_argument("--page", default="/contact", help="sample site page with a widget")
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="leadgate-tti-"))
    site_port = free_port()
    with database("sqlite", "bench_tti", folder) as url:  # removed with `folder` below
        env = {**app_env(url, args.workers, folder / "leadgate"), "SITE_PORT": str(site_port)}
        run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], env)
        run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], env)
        with gunicorn(["wsgi:app"], env, folder / "leadgate.log") as port:
            site = serve_in_thread(
                create_sample_site(leadgate_url=f"http://127.0.0.1:{port}"), site_port
            )
            host_url = f"http://localhost:{site_port}{args.page}"
            try:
                results = measure(host_url, args.loads)
            finally:
                site.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"widget time to interactive: {host_url} embedding Leadgate on 127.0.0.1 "
        f"({args.workers} gunicorn workers), {args.loads} loads per case, headless Chromium; "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}\n"
    )
    print("ms after the host page's navigation start:\n")
    print("| milestone | cold p50 | cold p95 | warm p50 | warm p95 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, label in MILESTONES.items():
        cells = []
        for loads in results.values():
            values = [load[name] for load in loads]
            cells += [f"{percentile(values, 0.5):.0f}", f"{percentile(values, 0.95):.0f}"]
        print(f"| {label} | {' | '.join(cells)} |")
    return 0


def measure(url: str, loads: int) -> dict[str, list[dict[str, float]]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

        def new_context():
            context = browser.new_context(locale="en-US")
            context.add_init_script(PROBE)
            context.set_default_timeout(15_000)
            return context

        try:
            # One load first, so the server's workers and the browser are warmed up.
            first = new_context()
            one_load(first, url)
            first.close()
            cold = []
            for _ in range(loads):
                context = new_context()
                cold.append(one_load(context, url))
                context.close()
            context = new_context()
            one_load(context, url)  # primes this context's cache
            warm = [one_load(context, url) for _ in range(loads)]
            context.close()
        finally:
            browser.close()
    return {"cold": cold, "warm": warm}


if __name__ == "__main__":
    sys.exit(main())
