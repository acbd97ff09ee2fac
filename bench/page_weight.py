"""Benchmark 1 of issue 7: the resident's first page on a slow connection.

The demo survey (loaded as ``make run`` loads it) in German, Arabic and Easy German, opened cold
in headless Chromium on a phone viewport under DevTools-emulated slow 3G: bytes on the wire per
resource type, requests, first contentful paint and the moment the first question is painted;
against a minimal one-request survey page measured the same way in the same run. Then the first
question is answered with JavaScript switched off.
"""
from __future__ import annotations

import logging
import secrets
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from bench.report import Row, Section, Table

#: Debian's Chromium as ../shared/TOOLING.md says (and tests/conftest.py uses).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
#: The issue's slow 3G: 400 kbit/s both ways, 400 ms latency added to every request.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1000 / 8,
           "uploadThroughput": 400 * 1000 / 8}
LANGUAGES = {"de": "German", "ar": "Arabic", "de-x-ls": "Easy German"}
BUDGET = 20_000  # bytes on the wire, 1 KB = 1000 bytes
PAINT_TARGET = 1.0  # seconds
KINDS = {"Document": "HTML", "Stylesheet": "CSS", "Script": "JS", "Image": "images", "Font": "fonts"}

#: Injected before the page's own code (DevTools injection is not bound by the page's CSP): once
#: the first question's legend or label has text, the next animation frame, the first one to
#: render it, notes the time and whether the label lies inside the first screen.
QUESTION_PROBE = """(() => {
  const frame = () => requestAnimationFrame(() => {
    const label = document.querySelector("legend, .question-label");
    const box = label && label.getBoundingClientRect();
    if (!box || !box.height || !label.textContent.trim()) { return frame(); }
    window.__question = {time: performance.now(), inView: box.top >= 0 && box.bottom <= innerHeight};
  });
  frame();
})();"""
#: What the probe and the Paint Timing API found, in seconds from the start of navigation.
TIMINGS = """() => ({
  fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime / 1000,
  question: window.__question.time / 1000, inView: window.__question.inView,
  html: performance.getEntriesByType("navigation")[0].responseEnd / 1000,
  timeline: performance.getEntriesByType("resource").map(r => [r.name, r.responseEnd / 1000]),
})"""


def baseline_page() -> bytes:
    """A minimal survey page of about 4 KB in one request: radio questions, no CSS, no script."""
    options = ["sehr zufrieden", "eher zufrieden", "teils, teils", "eher unzufrieden", "sehr unzufrieden"]
    topics = ["Spielplätzen", "Grünflächen", "Busverbindungen", "Einkaufsmöglichkeiten", "Treffpunkten",
              "Beratungsangeboten", "Sauberkeit"]
    questions = "".join(
        f"<fieldset><legend>{n}. Wie zufrieden sind Sie mit den {topic} in Ihrem Quartier?</legend>"
        + "".join(f'<label><input type="radio" name="q{n}" value="{v}"> {text}</label><br>'
                  for v, text in enumerate(options, 1)) + "</fieldset>\n"
        for n, topic in enumerate(topics, 1))
    return ('<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>Umfrage</title></head><body>'
            "<h1>Was braucht Ihr Quartier?</h1><p>Die Umfrage dauert etwa 5 Minuten und ist anonym.</p>"
            f'<form method="post">{questions}<button>Weiter</button></form></body></html>').encode()


def static_app(files: dict[str, bytes]):
    """A WSGI app serving ``files`` (path → body; ``.css``/``.js`` by suffix, else HTML) and an
    empty 404 elsewhere (the favicon)."""
    def serve(environ, start_response):
        path = environ["PATH_INFO"]
        kind = {"css": "text/css", "js": "text/javascript"}.get(path.rsplit(".", 1)[-1], "text/html; charset=utf-8")
        body, headers = files.get(path, b""), [("Content-Type", kind)]
        start_response("200 OK" if path in files else "404 Not Found", [*headers, ("Content-Length", str(len(body)))])
        return [body]
    return serve


def demo_app(folder: str):
    """The app on a fresh SQLite file with the demo data, production-like (no debug, no testing);
    returns it and the demo survey's resident path."""
    from app import create_app
    from app.db import db
    from app.demo import load_demo
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                      "SECRET_KEY": secrets.token_hex(32)})
    with app.app_context():
        db.create_all()
        info = load_demo()
    return app, info.rsplit("Demo survey: ", 1)[1].strip()


@contextmanager
def serving(wsgi_app):
    """Serve ``wsgi_app`` on a free loopback port from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def launch(playwright):
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def cold_load(playwright, url: str) -> dict:
    """Open ``url`` once in a fresh browser (Chromium remembers a missing favicon across
    contexts) with the cache off, under slow 3G; wait until the network has been quiet for a
    second (the favicon comes after ``load``) and return the bytes and requests per resource and
    the paint timings."""
    browser = launch(playwright)
    context = browser.new_context(**PHONE)
    context.add_init_script(QUESTION_PROBE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    started, responses, wire = {}, {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: started.setdefault(e["requestId"], time.monotonic()))
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e))
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.loadingFailed", lambda e: wire.__setitem__(e["requestId"], 0))
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    page.goto(url, wait_until="load")
    painted = "() => Boolean(window.__question && performance.getEntriesByName('first-contentful-paint').length)"
    while (set(started) - set(wire) or time.monotonic() - max(started.values()) < 1
           or not page.evaluate(painted)):  # a function: the CSP forbids evaluating a string
        page.wait_for_timeout(100)
    timings = page.evaluate(TIMINGS)
    lang = page.locator("html").get_attribute("lang")
    browser.close()
    resources = []
    for request_id, event in responses.items():
        response = event["response"]
        if response["url"].startswith("http"):
            headers = {k.lower(): v for k, v in response["headers"].items()}
            resources.append({"kind": KINDS.get(event["type"], "other"), "path": urlsplit(response["url"]).path,
                              "wire": wire.get(request_id, 0), "status": response["status"],
                              "body": int(headers.get("content-length", 0)),
                              "encoding": headers.get("content-encoding", "uncompressed")})
    return {"lang": lang, "resources": resources, "bytes": sum(r["wire"] for r in resources), **timings}


def answer_without_js(browser, url: str) -> str:
    """With JavaScript off, answer the first question through its label and press the form's
    primary button; return what came back, or raise ``AssertionError`` on a failure."""
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url)
        first = page.locator(".question").first
        asked = first.get_attribute("id")
        if first.locator("fieldset").count():
            first.locator(".choice label").first.click()  # a radio or checkbox, checked by its label
        else:
            control = page.locator("#" + first.locator("label.question-label").get_attribute("for"))
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(index=1)
            else:
                control.fill("1")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator("form button.primary").click()
        page.wait_for_load_state("load")
        status = posted.value.status
        shown = page.locator(".question").first.get_attribute("id") if page.locator(".question").count() else "thanks"
        assert status in (200, 302, 303) and not page.locator(".error-summary").count() and shown != asked, \
            f"{asked}: HTTP {status}, then {shown}"
        return f"{asked} → {shown}"
    finally:
        context.close()


def kb(count: float) -> str:
    """Bytes as kilobytes of 1000 bytes."""
    return f"{count / 1000:.1f} KB"


def language_rows(name: str, runs: list[dict], baseline: list[dict]) -> list[Row]:
    """Bytes (the largest load), requests, first paint and first question (medians) of one language."""
    base_fcp = statistics.median(load["fcp"] for load in baseline)
    largest = max(runs, key=lambda load: load["bytes"])
    per_kind: dict[str, list[int]] = {}
    for resource in largest["resources"]:
        per_kind.setdefault(resource["kind"], []).append(resource["wire"])
    fcp = statistics.median(load["fcp"] for load in runs)
    seen = statistics.median(max(load["fcp"], load["question"]) for load in runs)
    in_view = all(load["inView"] for load in runs)
    return [
        Row(f"{name}: bytes transferred", "≤ 20 KB", f"{kb(largest['bytes'])} (" + ", ".join(
            f"{kind} {kb(sum(sizes))}" for kind, sizes in per_kind.items()) + ")", kb(baseline[0]["bytes"]),
            f"{largest['bytes'] / baseline[0]['bytes']:.1f}×", largest["bytes"] <= BUDGET),
        Row(f"{name}: requests", "", f"{len(largest['resources'])} (" + ", ".join(
            f"{kind} {len(sizes)}" for kind, sizes in per_kind.items()) + ")", str(len(baseline[0]["resources"]))),
        Row(f"{name}: first contentful paint", "≤ 1 s", f"{fcp:.2f} s", f"{base_fcp:.2f} s",
            f"{fcp / base_fcp:.2f}×", fcp <= PAINT_TARGET),
        Row(f"{name}: first question visible", "≤ 1 s, on the first screen",
            f"{seen:.2f} s, " + ("on the first screen" if in_view else "below the first screen"),
            f"{base_fcp:.2f} s", f"{seen / base_fcp:.2f}×", seen <= PAINT_TARGET and in_view),
    ]


def run(quick: bool = False) -> Section:
    """Measure the baseline and the first page in each language ``repeats`` times each, then
    answer the first question without JavaScript."""
    from playwright.sync_api import sync_playwright
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    repeats = 2 if quick else 5
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app, path = demo_app(folder)
        with serving(static_app({"/": baseline_page()})) as base:
            baseline = [cold_load(playwright, base + "/") for _ in range(repeats)]
        with serving(app) as base:
            cold_load(playwright, f"{base}{path}?lang=de")  # warm-up: templates compiled, catalogs read
            loads = {lang: [cold_load(playwright, f"{base}{path}?lang={lang}") for _ in range(repeats)]
                     for lang in LANGUAGES}
            browser, no_js = launch(playwright), {}
            for lang in LANGUAGES:
                try:
                    no_js[lang] = answer_without_js(browser, f"{base}{path}?lang={lang}")
                except AssertionError as failure:
                    no_js[lang] = f"failed: {failure}"
            browser.close()
    rows = []
    for lang, runs in loads.items():
        assert all(load["lang"] == lang for load in runs), f"page not in {lang}: {runs[0]['lang']}"
        rows += language_rows(f"{LANGUAGES[lang]} (`{lang}`)", runs, baseline)
    typical = sorted(loads["de"], key=lambda load: load["fcp"])[repeats // 2]
    scripts = [r for r in typical["resources"] if r["kind"] == "JS"]
    rows += [
        Row("No JavaScript needed to answer", "answer question 1 and go on, JS off",
            "; ".join(f"`{lang}` {outcome}" for lang, outcome in no_js.items()), "", "",
            not any(outcome.startswith("failed") for outcome in no_js.values())),
        Row("JavaScript loaded (optional read-aloud)", "", f"{kb(sum(r['wire'] for r in scripts))} on the wire: "
            + ", ".join(f"`{r['path']}` body {r['body']} B, {r['encoding']}" for r in scripts)),
    ]
    profile = Table("Profile of the German first page (the load with the median first paint)", [
        *(Row(f"{r['kind']} `{r['path']}` (HTTP {r['status']})", "", f"{r['wire']} B on the wire, body "
              f"{r['body']} B ({r['encoding']})") for r in sorted(typical["resources"], key=lambda r: -r["wire"]))])
    timeline = ", ".join(f"`{urlsplit(name).path}` at {end:.2f} s" for name, end in typical["timeline"])
    notes = [
        "Method: Debian's Chromium (headless) via Playwright, phone context 390×844 (mobile, touch), a fresh "
        "browser per load (cold: cache off with `Network.setCacheDisabled`, no remembered favicon), DevTools "
        "`Network.emulateNetworkConditions` with 400 ms latency and 400 kbit/s down and up. The app runs "
        "without debug on a fresh SQLite database with `flask demo load`'s data, served by werkzeug from a "
        f"thread. {repeats} loads per page (medians for times, the largest load for bytes), after one warm-up.",
        "Bytes are `Network.loadingFinished.encodedDataLength` of every http request until the network is quiet "
        "for 1 s (headers included, compressed bodies as sent; the browser's own `/favicon.ico` request counts); "
        "body sizes are the responses' `Content-Length`. 1 KB = 1000 bytes.",
        "First contentful paint is the Paint Timing entry; *first question visible* is the later of it and the "
        "first animation frame in which the first question's legend/label has text and a box (an init script), "
        "and *on the first screen* means that box lies inside the 844 px viewport. Times count from the start of "
        "navigation and are dominated by the emulated latency; the ratio compares them with the baseline, "
        f"a static {len(baseline_page())}-byte survey page (7 radio questions, no CSS, no script) served the same way.",
        f"Responses finished (German, median load): HTML at {typical['html']:.2f} s, {timeline}; first "
        f"contentful paint at {typical['fcp']:.2f} s.",
    ]
    return Section(key="page", title="1. Resident page on a slow connection", notes=notes,
                   tables=[Table("First page of the demo survey, slow 3G, phone", rows), profile])
