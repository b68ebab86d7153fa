"""A preset paired with the wrong data says so first (issue 14, item 15)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from perfanalysis import DataError, check_data, load_data, load_scheme
from perfanalysis.cli import app
from perfanalysis.engine.data import matching_presets, scheme_coverage
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR


def test_heshan_data_with_yiyang_preset_is_one_clear_error():
    data = load_data(SAMPLE_DIR / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    # the two presets share 6 indicator ids (fai, fiscal_revenue, …); Yiyang has 17
    assert scheme_coverage(data, scheme) == (6, 17)
    with pytest.raises(DataError) as info:
        check_data(data, scheme, 2013)
    err = info.value
    assert len(err.problems) == 1  # not one line per missing value
    reason = err.problems[0].reason
    assert "only 6 of its 17 indicators" in reason
    assert "heshan_2013 (13 of 13 indicators)" in reason
    assert "yiyang_2018 (" not in reason


def test_matching_presets_lists_every_fitting_preset():
    data = load_data(SAMPLE_DIR / "yiyang")
    found = matching_presets(data)
    # every preset built on the Yiyang counties' 17 indicators, full coverage first; the
    # Zhangjiagang towns preset shares 5 of its 10 (at least MATCH_SHARE) and comes last
    assert {"changsha_forced", "yiyang_2018", "yiyang_2018_levels"} <= {m[0] for m in found}
    assert all(p == t == 17 for _, p, t in found[:-1]) and found[-1] == ("zhangjiagang_towns", 5, 10)
    assert "heshan_2013" not in {m[0] for m in found}


def test_cli_says_it_first(tmp_path):
    res = CliRunner().invoke(app, ["score", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
                                   str(SCHEMES_DIR / "heshan_2013.yaml")])
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert text.index("do not match") < 80
    assert "yiyang_2018 (17 of 17 indicators)" in text and "1 problem(s)" in text


def test_office_workbook_with_the_wrong_preset_says_so_first():
    from pathlib import Path

    book = Path(__file__).parent / "data" / "office" / "office_workbook.xlsx"
    with pytest.raises(DataError) as info:
        load_data(book, load_scheme(SCHEMES_DIR / "heshan_2013.yaml"))
    assert len(info.value.problems) == 1  # not one line per unknown header
    reason = info.value.problems[0].reason
    # most of the Yiyang book's headers are not Heshan indicators (3 of its 13 are named)
    assert "do not match scheme 'heshan_2013'" in reason
    # the Yiyang book has the 17 leaves' columns and the 2 official growth rates the GDP and
    # 规上 blends read (地区生产总值增速, 规模工业增加值增速): 19 of 19 series
    assert "yiyang_2018 (19 of 19 indicators)" in reason


def test_mismatch_with_no_other_indicators_does_not_end_on_an_empty_list():
    import dataclasses

    data = load_data(SAMPLE_DIR / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    obs = data.observations
    kept = sorted(obs["indicator"].unique())[:2]
    data = dataclasses.replace(data, observations=obs[obs["indicator"].isin(kept)])
    with pytest.raises(DataError) as info:
        check_data(data, scheme, 2013)
    reason = info.value.problems[0].reason
    assert "only 2 of its 13 indicators" in reason
    assert "e.g. )" not in reason and "the data have no other indicators" in reason
