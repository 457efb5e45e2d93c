#!/usr/bin/env python3
"""The demo's acceptance test.

1. Runs the pipeline twice on the bundled data; report.json, report.html and the split digest must be
   byte-identical between the runs (reproducibility). Then runs it on a generated messy CSV, and checks
   that bad command lines exit with a message.
2. Opens report.html in headless Chromium (Debian's chromium + chromium-driver, driven by
   python3-selenium): no console errors, every chart's SVG present, non-empty and drawn with a
   non-zero size; no script and no network address in the file; saves a full-page screenshot.

Usage: check_demo.py PIPELINE_EXE OUT_DIR. Exit 77 (ctest: skipped) when Chromium or Selenium is
not installed; scripts/test installs both.
"""
import os
import re
import shutil
import subprocess
import sys

CHARTS = ["split-balance", "quality-findings", "loss-curve", "pareto-front", "threshold-tradeoff", "slice-metrics",
          "drift-features", "drift-windows", "detector-alarms", "seed-sweep"]


def fail(msg):
    print("check_demo: FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def run_pipeline(exe, out):
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run([exe, "--out", out], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        fail(f"the pipeline exited with {p.returncode}: {p.stderr}")
    m = re.search(r"digest ([0-9a-f]{16})", p.stdout)
    if not m:
        fail("the console summary has no split digest")
    for name in ("report.json", "report.html"):
        if not os.path.getsize(os.path.join(out, name)):
            fail(f"{name} is empty")
    return m.group(1)


def messy_csv(path):
    """A user's CSV with what real files have: a 0/1 label, zero-padded ids, a Latin-1 (not UTF-8)
    header, a categorical and a date column, missing values in the drift features, an infinity and a
    constant column. Generated with a fixed LCG, so the file is the same on every run."""
    state = 12345

    def u():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (state >> 11) / 2**53

    lines = ["id,Gr\u00f6\u00dfe,region,when,f1,f2,f3,f4,f5,constant,y"]
    for i in range(300):
        f = [u() * 4 - 2 for _ in range(5)]
        y = 1 if f[0] + 0.8 * f[2] + (u() - 0.5) > 0.4 else 0
        cells = [f"{v:.6f}" for v in f]
        if i % 17 == 3:
            cells[1] = ""     # the default scaled feature (2nd)
        if i % 23 == 5:
            cells[4] = "NA"   # the default shifted feature (5th)
        if i == 42:
            cells[3] = "inf"
        lines.append(",".join([f"{i:05d}", f"{u() * 50 + 150:.1f}", f"r{int(u() * 12)}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                               *cells, "7", str(y)]))
    with open(path, "wb") as f:
        f.write("\n".join(lines).encode("latin-1") + b"\n")


def check_messy(exe, out):
    csv_path = os.path.join(out, "messy.csv")
    os.makedirs(out, exist_ok=True)
    messy_csv(csv_path)
    report = os.path.join(out, "messy")
    p = subprocess.run([exe, csv_path, "--label", "y", "--key", "id", "--slice", "when", "--out", report],
                       capture_output=True, text=True, errors="replace", timeout=300)
    if p.returncode != 0:
        fail(f"the pipeline failed on a messy CSV ({p.returncode}): {p.stderr}")
    import json
    with open(os.path.join(report, "report.json"), encoding="utf-8") as f:
        j = json.load(f)
    if j["label"]["positive"] not in ("0", "1"):
        fail(f"unexpected positive class {j['label']['positive']}")
    if "region" not in j["ignored_columns"] or "constant" not in j["training"]["unused_features"]:
        fail(f"the categorical and the constant column should be reported: {j['ignored_columns']}, {j['training']['unused_features']}")
    for f in j["quality"]["report"]["findings"]:
        if f["code"].startswith("config."):
            fail(f"a misconfigured check on the messy CSV: {f}")
    if not os.path.getsize(os.path.join(report, "report.html")):
        fail("report.html is empty for the messy CSV")
    # Bad command lines fail with a message, not a crash.
    for args, code in (([csv_path], 2), ([csv_path, "--label", "nope"], 1), ([csv_path, "--label", "region"], 1),
                       ([csv_path, "--label", "y", "--seed", "x"], 2), ([csv_path, "--label", "y", "--recall-floor", "95"], 2),
                       ([csv_path, "--label", "y", "--scale-feature", "f1", "--shift-feature", "f1"], 1)):
        p = subprocess.run([exe, *args, "--out", os.path.join(out, "bad")], capture_output=True, text=True, errors="replace", timeout=300)
        if p.returncode != code or "pipeline:" not in p.stderr:
            fail(f"{args}: expected exit {code} with a message, got {p.returncode}: {p.stderr}")
    print("check_demo: a messy CSV (0/1 label, Latin-1 header, missing values, inf, constant column, dates as the slice) runs "
          "through; bad command lines exit with a message")


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main():
    exe, out = sys.argv[1], sys.argv[2]
    first, second = os.path.join(out, "run1"), os.path.join(out, "run2")
    d1, d2 = run_pipeline(exe, first), run_pipeline(exe, second)
    if d1 != d2:
        fail(f"split digests differ between runs: {d1} vs {d2}")
    for name in ("report.json", "report.html"):
        if not same_bytes(os.path.join(first, name), os.path.join(second, name)):
            fail(f"{name} differs between two runs")
    print(f"check_demo: two runs agree byte for byte (split digest {d1})")
    import json
    with open(os.path.join(first, "report.json"), encoding="utf-8") as f:
        bundled = json.load(f)
    # The bundled data's findings are the held-out values outside the training ranges (errors) and
    # outlier notes; a warning would mean the pipeline misconfigured a check (the key, say).
    warnings = [f for f in bundled["quality"]["report"]["findings"] if not f["passed"] and f["severity"] == "warning"]
    if warnings:
        fail(f"unexpected quality warnings on the bundled data: {warnings}")
    check_messy(exe, out)

    html_path = os.path.join(first, "report.html")
    html = open(html_path, encoding="utf-8").read()
    if re.search(r"<script", html, re.I):
        fail("report.html contains a script element")
    external = [u for u in re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s\"'<>)]*", html) if "www.w3.org/2000/svg" not in u]
    if external:
        fail(f"report.html refers to external addresses: {external[:5]}")

    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("check_demo: python3-selenium is not installed; browser check skipped", file=sys.stderr)
        return 77
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        print("check_demo: chromium / chromium-driver are not installed; browser check skipped", file=sys.stderr)
        return 77
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        browser.get("file://" + os.path.abspath(html_path))
        found = browser.execute_script("""
            const out = {};
            for (const svg of document.querySelectorAll('svg.mldp-chart')) {
                const r = svg.getBoundingClientRect();
                out[svg.getAttribute('data-chart')] = {
                    children: svg.childElementCount,
                    marks: svg.querySelectorAll('path, rect, circle, line, polyline').length,
                    width: r.width, height: r.height,
                    nodata: svg.textContent.includes('no data')};
            }
            return out;""")
        for chart in CHARTS:
            c = found.get(chart)
            if c is None:
                fail(f"chart '{chart}' is missing from report.html")
            if c["children"] == 0 or c["marks"] < 3 or c["width"] <= 0 or c["height"] <= 0 or c["nodata"]:
                fail(f"chart '{chart}' is empty or not drawn: {c}")
        logs = browser.get_log("browser")
        errors = [e for e in logs if e.get("level") == "SEVERE"]
        if errors:
            fail(f"console errors: {errors}")
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(int(height) + 50, 16000))
        shot = os.path.join(out, "report.png")
        if not browser.save_screenshot(shot):
            fail("could not save the screenshot")
    finally:
        browser.quit()
    print(f"check_demo: report.html renders in Chromium: {len(CHARTS)} charts drawn, {len(logs)} console messages, "
          f"none an error; screenshot {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
