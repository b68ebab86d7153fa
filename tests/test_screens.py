"""Screens as tests: the rendered report opened in headless Chromium (Debian ``chromium``;
skipped without it). By the DOM, every chart has a non-empty plot area and no two of its
text labels overlap; screenshots of one run are kept under ``out/screens/`` (CI artifacts).

The charts are measured from Chromium's command line (``--dump-dom`` after an injected
script has measured them, in virtual time). The chapters' screenshots are taken in one
browser session through chromedriver when it is installed (Debian ``chromium-driver``),
else with one ``--screenshot`` run per chapter."""

from __future__ import annotations

import html as html_mod
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.notebook import find_browser

CHECK_JS = Path(__file__).parent / "data" / "screens" / "check_charts.js"
SHOW_SECTION_JS = Path(__file__).parent / "data" / "screens" / "show_section.js"
SCREENS = PROJ_ROOT / "out" / "screens"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_browser() is None,
                                 reason="no Chromium (apt-get install chromium): no screen tests")]


def _chromium(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    browser = find_browser()
    assert browser is not None
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--disable-dev-shm-usage",
                           "--run-all-compositor-stages-before-draw", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def measure_charts(page: Path, work: Path, width: int = 1280) -> list[dict]:
    """Each chart of ``page`` as Chromium lays it out at ``width`` px: title, plot area
    (px²), traces drawn, overlapping label pairs."""
    probe = work / f"probe-{page.stem}.html"
    html = page.read_text(encoding="utf-8")
    script = f"<script>{CHECK_JS.read_text(encoding='utf-8')}</script>"
    probe.write_text(html.replace("</body>", script + "</body>", 1), encoding="utf-8")
    proc = _chromium(f"--window-size={width},2000", "--virtual-time-budget=60000",
                     "--dump-dom", probe.as_uri())
    found = re.findall(r'<pre id="pa-screen-check">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert found, f"the check did not run: {proc.stderr[-2000:]}"
    return json.loads(html_mod.unescape(found[-1]))["charts"]


def screenshot_chapters(page: Path, ids: list[str], dest: Path, width: int = 1280) -> list[Path]:
    """A screenshot of the page from each heading id on (one browser start each; the part
    before the heading is removed, as headless Chromium shoots the top of a page only)."""
    dest.mkdir(parents=True, exist_ok=True)
    probe = dest / f".{page.stem}-sections.html"
    script = f"<script>{SHOW_SECTION_JS.read_text(encoding='utf-8')}</script>"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>", 1),
                     encoding="utf-8")
    shots = []
    for i, ident in enumerate(ids):
        png = dest / f"{page.stem}-{i:02d}.png"
        _chromium(f"--window-size={width},1600", "--virtual-time-budget=30000",
                  f"--screenshot={png}", f"{probe.as_uri()}#{quote(ident)}")
        if png.is_file() and png.stat().st_size > 0:
            shots.append(png)
    probe.unlink()
    return shots


def screenshot_chapters_one_browser(page: Path, ids: list[str], dest: Path,
                                    width: int = 1280) -> list[Path] | None:
    """As ``screenshot_chapters``, in one browser session (chromedriver): the page is loaded
    and drawn once, then scrolled to each heading for its screenshot. None when
    chromedriver or selenium is missing (``screenshot_chapters`` then starts Chromium once
    per heading, loading and drawing the whole report each time)."""
    driver_path = shutil.which("chromedriver")
    browser = find_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        return None
    if driver_path is None or browser is None:
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--disable-dev-shm-usage", f"--window-size={width},1600"):
        options.add_argument(arg)
    service = Service(executable_path=driver_path)
    dest.mkdir(parents=True, exist_ok=True)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(300)
        driver.get(page.as_uri())
        # every chart drawn (its SVG in place) before the first screenshot: a condition,
        # not a fixed wait
        WebDriverWait(driver, 300, poll_frequency=0.2).until(lambda d: d.execute_script(
            "var c = document.querySelectorAll('.js-plotly-plot');"
            "return Array.prototype.every.call(c, function (e) {"
            "  return e.querySelector('.main-svg') !== null; });"))
        shots = []
        for i, ident in enumerate(ids):
            found = driver.execute_script(
                "var el = document.getElementById(arguments[0]) ||"
                "         document.getElementById(decodeURIComponent(arguments[0]));"
                "if (!el) return false; el.scrollIntoView(true); return true;", ident)
            png = dest / f"{page.stem}-{i:02d}.png"
            if found and driver.save_screenshot(str(png)) and png.stat().st_size > 0:
                shots.append(png)
        return shots
    finally:
        driver.quit()


def chapter_ids(html: str) -> list[str]:
    """Ids of the level-1 sections (Quarto: ``<section class="level1">``; nbconvert: h1)."""
    return (re.findall(r'<section id="([^"]+)" class="level1', html)
            or re.findall(r'<h1[^>]*\bid="([^"]+)"', html))


def assert_charts_read(charts: list[dict], expected: int) -> None:
    assert len(charts) == expected
    empty = [c["title"] for c in charts if c["plot_area"] < 100 * 100 or c["traces"] == 0]
    assert empty == [], f"charts with no plot area: {empty}"
    clashing = {c["title"]: c["clashes"][:5] for c in charts if c["n_clashes"]}
    assert clashing == {}, f"overlapping labels: {json.dumps(clashing, ensure_ascii=False)}"


def test_nbconvert_report_charts_have_a_plot_area_and_no_overlapping_labels(
        sample_run: dict, tmp_path: Path) -> None:
    page = sample_run["out"] / "report.html"
    charts = measure_charts(page, tmp_path)
    assert_charts_read(charts, sample_run["record"]["png_export"]["figures"])


def test_quarto_report_screens(quarto_report: dict, tmp_path: Path) -> None:
    page = quarto_report["result"].html
    charts = measure_charts(page, tmp_path)
    shutil.rmtree(SCREENS, ignore_errors=True)  # the PNGs of this run only
    ids = chapter_ids(quarto_report["html"])[:8]
    shots = screenshot_chapters_one_browser(page, ids, SCREENS)
    if shots is None:
        shots = screenshot_chapters(page, ids, SCREENS)
    else:
        assert len(shots) == len(ids), "a chapter without a screenshot"
    assert shots, "no screenshot was written"
    assert all(p.stat().st_size > 20_000 for p in shots), "a blank screenshot"
    assert_charts_read(charts, quarto_report["record"]["png_export"]["figures"])
