"""Weights explorer in a real browser (dash[testing] + Debian's chromium/chromedriver).

Starts the page on the Yiyang sample, moves 党的建设 and 高质量发展 to 30 points, checks the
table against ``perfanalysis score`` on the same setting written as a scheme file, exports
the scenario and compares it, types an invalid quota and reads the message, and saves a
screenshot under out/test-artifacts/ (the CI artifact).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import perfanalysis as pa
from perfanalysis.cli import app as cli_app
from perfanalysis.paths import DATA_DIR, PROJ_ROOT, SAMPLE_DIR

YIYANG_SCHEME = DATA_DIR / "schemes" / "yiyang_2018.yaml"
ARTIFACTS = PROJ_ROOT / "out" / "test-artifacts"
YEAR = 2019

_missing = [b for b in ("chromium", "chromedriver") if shutil.which(b) is None]
pytestmark = pytest.mark.skipif(
    bool(_missing), reason=f"browser test needs Debian's chromium and chromium-driver "
                           f"(apt-get install chromium chromium-driver); missing: {_missing}")
dash_testing = pytest.importorskip("dash.testing.composite",
                                   reason="dash[testing] is not installed")


@pytest.fixture
def dash_duo(dash_thread_server, tmp_path: Path):
    """dash[testing]'s dash_duo, always headless (CI has no display)."""
    download = tmp_path / "download"
    download.mkdir()
    with dash_testing.DashComposite(server=dash_thread_server, browser="Chrome", headless=True,
                                    download_path=str(download)) as dc:
        yield dc


def _pid(node: str, kind: str) -> str:
    """CSS selector of a pattern-matching id (Dash writes it as sorted JSON)."""
    return f"[id='{{\"node\":\"{node}\",\"type\":\"{kind}\"}}']"


def _type(duo, selector: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = duo.find_element(selector)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)
    box.send_keys(Keys.TAB)  # the value is committed when the box loses focus


#: Seconds a page may take to update before the test fails: a limit for a page that never
#: updates, not a speed requirement (a loaded CI machine takes many times longer than a quiet
#: one, and a test must not fail for that).
WAIT = 300


def _table(duo) -> pd.DataFrame:
    cols = ["单位", "总分", "名次", "等次"]
    cells = {c: [e.text for e in duo.find_elements(f'#table td[data-dash-column="{c}"]')]
             for c in cols}
    df = pd.DataFrame(cells)
    df["总分"] = df["总分"].astype(float)
    df["名次"] = df["名次"].astype(int)
    return df


def _wait_for(duo, fn, timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > end:
            raise AssertionError("the page did not update in time")
        time.sleep(0.1)


def test_move_weights_export_and_bad_input(dash_duo, tmp_path: Path) -> None:
    from perfanalysis.explorer.app import build_app
    from perfanalysis.explorer.core import make_explorer

    scheme = pa.load_scheme(YIYANG_SCHEME)
    data = pa.load_data(SAMPLE_DIR / "yiyang", scheme)
    app = build_app(make_explorer(data, scheme, scheme_path=YIYANG_SCHEME), year=YEAR)
    dash_duo.driver.set_window_size(1500, 2100)
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#summary", "等次变化的单位", timeout=WAIT)

    _type(dash_duo, f"{_pid('party_building', 'pts')} input", "30")
    dash_duo.wait_for_text_to_equal(_pid("party_building", "eff"), "30.00", timeout=WAIT)
    _type(dash_duo, f"{_pid('high_quality', 'pts')} input", "30")
    dash_duo.wait_for_text_to_equal(_pid("high_quality", "eff"), "30.00", timeout=WAIT)
    dash_duo.wait_for_text_to_equal(_pid("three_battles", "eff"), "25.00", timeout=WAIT)
    dash_duo.wait_for_contains_text("#rho", "Spearman", timeout=WAIT)
    page = _table(dash_duo)

    # the same setting written as a scheme file, scored by the command line
    as_scheme = pa.with_overrides(scheme, points={"party_building": 30, "high_quality": 30},
                                  renormalise=True)
    scheme_file = tmp_path / "explored_scheme.yaml"
    scheme_file.write_text(yaml.safe_dump(as_scheme.model_dump(mode="json", exclude_none=True),
                                          allow_unicode=True), encoding="utf-8")
    out = tmp_path / "scores.csv"
    res = CliRunner().invoke(cli_app, ["score", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
                                       str(scheme_file), "--year", str(YEAR), "--out", str(out)])
    assert res.exit_code == 0, res.output
    cli = pd.read_csv(out)
    assert list(page["单位"]) == list(cli["name"])
    assert (page["总分"] - cli["total"].round(2)).abs().max() < 1e-9
    assert list(page["名次"]) == list(cli["rank"]) and list(page["等次"]) == list(cli["tier"])

    # export the scenario and compare it with the command line
    dash_duo.find_element("#export-yaml").click()
    target = Path(dash_duo.download_path) / "explored_scenario.yaml"
    _wait_for(dash_duo, lambda: target.exists() and target.stat().st_size > 0)
    res = CliRunner().invoke(cli_app, ["compare", "--data", str(SAMPLE_DIR / "yiyang"),
                                       "--scheme", str(YIYANG_SCHEME), "--scenarios", str(target),
                                       "--year", str(YEAR)])
    assert res.exit_code == 0, res.output
    assert "权重探索" in res.output
    scenarios = pa.load_scenarios(target, scheme)
    totals = pa.score(data, scenarios[0].scheme, YEAR)
    assert list(totals["total"].round(2)) == list(page["总分"])

    # an invalid quota: a clear message, the last valid table kept
    _type(dash_duo, "[id='{\"i\":0,\"type\":\"tq\"}']", "150")
    dash_duo.wait_for_contains_text("#message", "0到100%之间", timeout=WAIT)
    assert "页面保留上一次有效的结果" in dash_duo.find_element("#message").text
    pd.testing.assert_frame_equal(_table(dash_duo), page)

    # on demand: tier probabilities and Sobol indices of the last valid setting
    dash_duo.find_element("#run-study").click()
    dash_duo.wait_for_element("#probs", timeout=WAIT)
    dash_duo.wait_for_element("#sobol", timeout=WAIT)
    probs = dash_duo.find_elements('#probs td[data-dash-column="单位"]')
    assert sorted(e.text for e in probs) == sorted(page["单位"])

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dash_duo.driver.save_screenshot(str(ARTIFACTS / "explorer.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
