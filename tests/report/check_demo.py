#!/usr/bin/env python3
"""The demo's acceptance test.

1. Runs the pipeline twice on the bundled data; report.json, report.html and the split digest must be
   byte-identical between the runs (reproducibility).
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
