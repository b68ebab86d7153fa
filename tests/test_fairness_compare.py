"""``perfanalysis compare`` prints the size dependence ρ of every scenario's total (issue 25;
the one definition of ``studies.size``): within the scenario's comparison groups, with its
interval and the all-units ρ, checked against scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from perfanalysis import load_data, load_scheme, score
from perfanalysis.cli import _size_display, app, scenario_size_dependence
from perfanalysis.paths import PROJ_ROOT

YIYANG = PROJ_ROOT / "data" / "sample" / "yiyang"
SCHEME = PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml"
REFORM = PROJ_ROOT / "data" / "scenarios" / "yiyang_reform.yaml"


def test_scenario_rho_within_groups_against_scipy() -> None:
    rng = np.random.default_rng(1)
    ids = [f"u{i}" for i in range(10)]
    size = pd.Series(np.exp(rng.uniform(8, 12, 10)), index=ids)
    seq = ["a"] * 6 + ["b"] * 4
    rows = []
    for name in ("基准方案", "甲"):
        total = rng.uniform(50, 100, 10)
        rows.append(pd.DataFrame({"scenario": name, "unit_id": ids, "sequence": seq,
                                  "total": total}))
    totals = pd.concat(rows, ignore_index=True)
    dep = scenario_size_dependence(totals, size, boot=50).set_index("scenario")
    for name, grp in totals.groupby("scenario"):
        t = grp.set_index("unit_id")
        a, b = t.index[:6], t.index[6:]
        want = (6 * spearmanr(t.loc[a, "total"], size[a]).statistic
                + 4 * spearmanr(t.loc[b, "total"], size[b]).statistic) / 10
        assert dep.at[name, "rho"] == pytest.approx(want)
        assert dep.at[name, "rho_all"] == pytest.approx(
            spearmanr(t["total"], size[t.index]).statistic)
        assert dep.at[name, "groups"] == 2 and dep.at[name, "n"] == 10
    shown = _size_display(dep.reset_index())
    assert {"ρ(组内)", "ρ下限(5%)", "ρ上限(95%)", "全部单位ρ", "比较组数"} <= set(shown.columns)
    # a scheme comparing all units together: one group, ρ = the all-units ρ
    one = scenario_size_dependence(totals, size, boot=0, compare_all=True)
    assert (one["groups"] == 1).all()
    np.testing.assert_allclose(one["rho"], one["rho_all"])


def test_compare_prints_rho_per_scenario(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["compare", "--data", str(YIYANG), "--scheme", str(SCHEME),
                                   "--scenarios", str(REFORM), "--year", "2019", "--boot",
                                   "50"])
    assert res.exit_code == 0, res.output
    assert "size dependence ρ" in res.output and "ρ下限(5%)" in res.output
    data, scheme = load_data(YIYANG), load_scheme(SCHEME)
    total = score(data, scheme, 2019).set_index("unit_id")["total"]
    size = data.units.set_index("unit_id")["population_2020"]
    rho = spearmanr(total, size[total.index]).statistic  # one sequence: plain Spearman
    line = next(x for x in res.output.splitlines() if "基准方案" in x and "│" in x)
    assert f"{rho:.2f}" in line
