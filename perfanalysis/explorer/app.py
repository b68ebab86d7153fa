"""The weights explorer's page (Dash): layout and thin callbacks over ``core``.

Every control change rebuilds the setting (``controls.spec_from_controls``) and scores it
(``core.evaluate``); a setting that cannot be scored shows its message and leaves the
tables, chart and the last valid setting (what the exports write) as they were. No
callback lets an exception reach the server. Assets are served by the app itself
(``serve_locally``), so the page works offline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
from dash import ALL, Dash, Input, Output, State, ctx, dash_table, dcc, html, no_update

from ..engine.methods import METHOD_ZH
from . import changes, controls, core, exports

KEEP = "页面保留上一次有效的结果。"
NOISE = 0.05  # scale of the error model of the on-demand tier probabilities (report default)
STUDY_DRAWS = 2000
SOBOL_N = 256

_BOX = {"border": "1px solid #ddd", "borderRadius": "6px", "padding": "10px",
        "marginBottom": "10px"}
_NUM = {"width": "90px"}
_TEMPLATE = pio.templates["plotly_white"].to_plotly_json()


def _money(x: float) -> str:
    return f"{x:.2f}"


def _size_text(size: dict[str, Any] | None) -> str:
    if size is None:
        return "规模相关性:单位表没有规模列(如人口),无法计算。"
    pct = round(float(size["level"]) * 100)
    return (f"总分与规模的组内Spearman相关系数ρ = {size['rho']:.2f}"
            f"({pct}%区间 {size['rho_lo']:.2f} 至 {size['rho_hi']:.2f};"
            f"{int(size['n'])}个单位,{int(size['groups'])}个序列)")


def _bump(cols: dict[str, np.ndarray], cur: core.View, sequence: str | None,
          scheme_seq: dict[str, str]) -> dict[str, Any]:
    """Slope chart of ranks within one sequence: baseline (left) to the current setting
    (right), one line a unit, green up, red down, grey unchanged. A plain figure mapping
    (no per-trace validation: it is rebuilt on every update)."""
    c = cols
    seqs = list(dict.fromkeys(c["sequence"]))
    seq = sequence if sequence in seqs else seqs[0]
    rows = np.flatnonzero(c["sequence"] == seq)
    data = []
    for colour, pick in (("#2a9d8f", c["moved"] > 0), ("#e76f51", c["moved"] < 0),
                         ("#999999", c["moved"] == 0)):
        sel = [i for i in rows if pick[i]]
        if not sel:
            continue
        xs: list[Any] = []
        ys: list[Any] = []
        for i in sel:
            xs += ["基准", "当前设定", None]
            ys += [int(c["base_rank"][i]), int(c["rank"][i]), None]
        data.append({"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys,
                     "line": {"color": colour}, "hoverinfo": "skip", "showlegend": False})
        data.append({"type": "scatter", "mode": "markers+text", "x": ["当前设定"] * len(sel),
                     "y": [int(c["rank"][i]) for i in sel],
                     "text": [str(c["name"][i]) for i in sel], "textposition": "middle right",
                     "cliponaxis": False, "marker": {"color": colour}, "showlegend": False,
                     "hovertemplate": "%{text}<br>名次 %{y}<extra></extra>"})
    names = {**scheme_seq, **dict(cur.scheme.sequences or {})}
    yaxis: dict[str, Any] = {"autorange": "reversed", "title": {"text": "序列内名次"}}
    if len(rows) <= 30:
        yaxis["dtick"] = 1
    return {"data": data, "layout": {
        "title": {"text": f"名次变化({names.get(seq, seq)})"}, "height": 420,
        "margin": {"l": 50, "r": 160, "t": 50, "b": 30}, "template": _TEMPLATE,
        "yaxis": yaxis}}


def _tier_inputs(tc: controls.TierControls) -> list[Any]:
    rows: list[Any] = []
    if tc.quota_kind is not None:
        label = f"{tc.labels[0]}名额比例(%)" if tc.quota_kind == "share" else \
            f"{tc.labels[0]}名额(人数)"
        rows.append(html.Div([html.Label(label + ":"), dcc.Input(
            id={"type": "tq", "i": 0}, type="number", value=tc.quota_value, debounce=True,
            style=_NUM)]))
    for j, (lab, line) in enumerate(tc.thresholds):
        rows.append(html.Div([html.Label(f"{lab}分数线(分):"), dcc.Input(
            id={"type": "tl", "i": j}, type="number", value=line, debounce=True, style=_NUM)]))
    for j, (lab, share) in enumerate(zip(tc.labels, tc.shares, strict=False)):
        rows.append(html.Div([html.Label(f"{lab}比例(%):"), dcc.Input(
            id={"type": "ts", "i": j}, type="number", value=share, debounce=True,
            style=_NUM)]))
    return rows


def build_app(ex: core.Explorer, *, year: int | None = None, title: str | None = None) -> Dash:
    """The Dash app for an explorer, opening on ``year`` (default: the latest); assets are
    served by the app itself, so it works offline."""
    scheme = ex.scheme
    year0 = max(ex.years) if year is None else int(year)
    base0 = core.start_view(ex, core.BASE_START, year0)
    nodes = core.first_level(scheme)
    comp_max = max(c.points for c in scheme.components if c.source == "indicators")
    leaves = [leaf for leaf in scheme.indicators() if len(core.applicable_methods(leaf)) > 1]
    alpha0 = core.start_alpha(scheme)
    seq_names = dict(scheme.sequences or {})
    app = Dash(__name__, title=title or f"权重探索:{scheme.name}", serve_locally=True,
               suppress_callback_exceptions=True)

    sliders = []
    for nid, name, pts in nodes:
        sliders.append(html.Div([
            html.Div([html.B(name), html.Span(" 生效分值:"),
                      html.Span(_money(pts), id={"type": "eff", "node": nid})]),
            dcc.Slider(id={"type": "pts", "node": nid}, min=0, max=comp_max, step=0.5,
                       value=pts, marks=None, allow_direct_input=True, updatemode="mouseup",
                       tooltip={"placement": "bottom", "always_visible": False}),
        ], style={"marginBottom": "6px"}))
    panel = [
        html.Div([html.Label("年度:"), dcc.Dropdown(
            id="year", options=[{"label": f"{y}年", "value": y} for y in ex.years],
            value=year0, clearable=False)], style=_BOX),
        html.Div([html.Label("起点(方案或情景):"), dcc.Dropdown(
            id="start", options=[{"label": s.name, "value": s.id} for s in ex.starts.values()],
            value=core.BASE_START, clearable=False)], style=_BOX),
        html.Div([html.H4("一级指标分值"),
                  html.Div("移动一项,未改动的各项按原比例分配其余分值。",
                           style={"fontSize": "12px", "color": "#666"}),
                  *sliders, html.Div(id="points-sum")], style=_BOX),
        html.Div([html.H4("任意节点分值"),
                  dcc.Dropdown(id="node-pick", options=[
                      {"label": f"{name}({pts:g}分)", "value": nid}
                      for nid, name, pts in core.all_nodes(scheme)], placeholder="选择节点"),
                  dcc.Input(id="node-pts", type="number", placeholder="分值", style=_NUM),
                  html.Button("设定", id="node-add"), html.Button("清除", id="node-clear"),
                  html.Div(id="node-list", style={"fontSize": "12px"})], style=_BOX),
    ]
    if alpha0 is not None:
        panel.append(html.Div([
            html.H4("增量与增速权重α"),
            html.Div("α为增量(总量)部分的权重,1−α为增速部分的权重。",
                     style={"fontSize": "12px", "color": "#666"}),
            dcc.Slider(id="alpha", min=0, max=1, step=0.05, value=alpha0, marks=None,
                       allow_direct_input=True, updatemode="mouseup"),
            html.Div("单项指标的α:", style={"fontSize": "12px"}),
            dcc.Dropdown(id="alpha-leaf", options=[
                {"label": leaf.name, "value": leaf.id} for leaf in core.blended(scheme)],
                placeholder="选择增量+增速指标"),
            dcc.Input(id="alpha-value", type="number", placeholder="α", style=_NUM),
            html.Button("设定", id="alpha-add"), html.Button("清除", id="alpha-clear"),
            html.Div(id="alpha-list", style={"fontSize": "12px"})], style=_BOX))
    else:
        panel.append(dcc.Store(id="alpha", data=None))
    panel += [
        html.Div([html.H4("计分方法"),
                  dcc.Dropdown(id="method-leaf", options=[
                      {"label": leaf.name, "value": leaf.id} for leaf in leaves],
                      placeholder="选择指标"),
                  dcc.Dropdown(id="method-choice", placeholder="选择计分方法"),
                  html.Button("设定", id="method-add"), html.Button("清除", id="method-clear"),
                  html.Div(id="method-list", style={"fontSize": "12px"})], style=_BOX),
        html.Div([html.H4("等次规则"), html.Div(id="tier-box")], style=_BOX),
        html.Div([html.Button("恢复起点设定", id="reset"), html.Br(), html.Br(),
                  html.Button("导出情景YAML", id="export-yaml"),
                  html.Button("导出Excel表", id="export-xlsx"),
                  dcc.Download(id="download-yaml"), dcc.Download(id="download-xlsx")],
                 style=_BOX),
    ]
    cols = ["单位", "序列", "基准总分", "总分", "总分变化", "基准名次", "名次", "名次变化",
            "基准等次", "等次"]
    views = [
        html.Div(id="message", role="alert",
                 style={"color": "#b00020", "fontWeight": "bold", "minHeight": "1.2em"}),
        html.Div(id="summary", style=_BOX),
        html.H4("各单位总分、名次与等次(左为起点,右为当前设定;点击表头排序)"),
        dash_table.DataTable(id="table", columns=[{"name": c, "id": c} for c in cols],
                             sort_action="native", page_size=50,
                             style_cell={"fontFamily": "sans-serif", "padding": "4px"},
                             style_data_conditional=[
                                 {"if": {"filter_query": "{名次变化} > 0", "column_id": "名次变化"},
                                  "color": "#2a9d8f"},
                                 {"if": {"filter_query": "{名次变化} < 0", "column_id": "名次变化"},
                                  "color": "#e76f51"}]),
        html.H4("等次变化及原因(最近的等次界限)"),
        dash_table.DataTable(id="moves", columns=[{"name": c, "id": c} for c in (
            "单位", "基准等次", "等次", "原因")], style_cell={"textAlign": "left"}),
        html.Div([html.Label("名次图的序列:"), dcc.Dropdown(
            id="seq", options=[{"label": seq_names.get(s, s), "value": s}
                               for s in sorted(set(base0.table["sequence"]))],
            value=min(set(base0.table["sequence"])), clearable=False)]),
        dcc.Graph(id="bump", config={"displaylogo": False}),
        html.Div([html.H4("不确定性(按需计算)"),
                  html.Div(("等次概率:按误差模型文件" if ex.error_model else
                            "等次概率:按默认误差模型(总量5%相对误差、比率1个百分点、评分1分等)")
                           + f",{STUDY_DRAWS}次模拟;"
                           f"Sobol指数:一级指标分值±25%、α与相对计分方法,{SOBOL_N}个基础样本。",
                           style={"fontSize": "12px", "color": "#666"}),
                  html.Button("计算等次概率与Sobol指数", id="run-study"),
                  dcc.Loading(children=html.Div(id="study-out"), type="default")], style=_BOX),
        dcc.Store(id="valid"), dcc.Store(id="extra", data={}), dcc.Store(id="methods", data={}),
        dcc.Store(id="leaf-alpha", data={}),
    ]
    app.layout = html.Div([
        html.H2(f"权重探索:{scheme.name}"),
        html.Div([html.Div(panel, style={"width": "32%", "paddingRight": "12px"}),
                  html.Div(views, style={"width": "68%"})], style={"display": "flex"}),
    ], style={"fontFamily": "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
              "margin": "12px"})
    _callbacks(app, ex, nodes, seq_names, year0)
    return app


def _callbacks(app: Dash, ex: core.Explorer, nodes: list[tuple[str, str, float]],
               seq_names: dict[str, str], year0: int) -> None:
    node_ids = [n for n, _, _ in nodes]
    names = {n.id: n.name for n in ex.scheme.iter_nodes()}

    @app.callback(Output({"type": "pts", "node": ALL}, "value"),
                  Output("tier-box", "children"), Output("extra", "data"),
                  Output("methods", "data"), Output("leaf-alpha", "data"),
                  Output("seq", "options"), Output("seq", "value"),
                  *([Output("alpha", "value")] if core.start_alpha(ex.scheme) is not None
                    else []),
                  Input("start", "value"), Input("reset", "n_clicks"), State("year", "value"))
    def reset(start: str, _n: int | None, year: int) -> tuple[Any, ...]:
        try:
            view = core.start_view(ex, start, year)
        except core.ExploreError:  # the main callback says why; controls from the opening view
            view = core.start_view(ex, core.BASE_START, year0)
        seqs = sorted(set(view.columns["sequence"]))
        names = dict(view.scheme.sequences or {})
        out: tuple[Any, ...] = ([view.node_points[n] for n in node_ids],
                                _tier_inputs(controls.tier_controls(view.scheme)), {}, {}, {},
                                [{"label": names.get(q, q), "value": q} for q in seqs], seqs[0])
        if core.start_alpha(ex.scheme) is not None:
            out += (core.start_alpha(view.scheme),)
        return out

    @app.callback(Output("extra", "data", allow_duplicate=True),
                  Output("node-list", "children"),
                  Input("node-add", "n_clicks"), Input("node-clear", "n_clicks"),
                  Input("extra", "data"), State("node-pick", "value"), State("node-pts", "value"),
                  prevent_initial_call=True)
    def set_node(_a: int | None, _c: int | None, extra: dict[str, Any], node: str | None,
                 pts: float | None) -> tuple[Any, Any]:
        extra = dict(extra or {})
        trig = ctx.triggered_id
        if trig == "node-clear":
            extra = {}
        elif trig == "node-add" and node:
            extra[node] = pts
        else:
            return no_update, "、".join(f"{names.get(k, k)}:{v}" for k, v in extra.items())
        return extra, "、".join(f"{names.get(k, k)}:{v}" for k, v in extra.items())

    if core.start_alpha(ex.scheme) is not None:
        @app.callback(Output("leaf-alpha", "data", allow_duplicate=True),
                      Output("alpha-list", "children"),
                      Input("alpha-add", "n_clicks"), Input("alpha-clear", "n_clicks"),
                      Input("leaf-alpha", "data"), State("alpha-leaf", "value"),
                      State("alpha-value", "value"), prevent_initial_call=True)
        def set_leaf_alpha(_a: int | None, _c: int | None, chosen: dict[str, Any],
                           leaf: str | None, value: float | None) -> tuple[Any, Any]:
            chosen = dict(chosen or {})
            trig = ctx.triggered_id
            if trig == "alpha-clear":
                chosen = {}
            elif trig == "alpha-add" and leaf:
                chosen[leaf] = value
            else:
                return no_update, "、".join(f"{names.get(k, k)}:α={v}" for k, v in chosen.items())
            return chosen, "、".join(f"{names.get(k, k)}:α={v}" for k, v in chosen.items())

    @app.callback(Output("method-choice", "options"), Input("method-leaf", "value"))
    def method_options(leaf_id: str | None) -> list[dict[str, str]]:
        if not leaf_id:
            return []
        leaf = next(leaf for leaf in ex.scheme.indicators() if leaf.id == leaf_id)
        return [{"label": METHOD_ZH.get(m, m), "value": m}
                for m in core.applicable_methods(leaf)]

    @app.callback(Output("methods", "data", allow_duplicate=True),
                  Output("method-list", "children"),
                  Input("method-add", "n_clicks"), Input("method-clear", "n_clicks"),
                  Input("methods", "data"), State("method-leaf", "value"),
                  State("method-choice", "value"), prevent_initial_call=True)
    def set_method(_a: int | None, _c: int | None, methods: dict[str, str],
                   leaf: str | None, method: str | None) -> tuple[Any, Any]:
        methods = dict(methods or {})
        trig = ctx.triggered_id
        if trig == "method-clear":
            methods = {}
        elif trig == "method-add" and leaf and method:
            methods[leaf] = method
        else:
            return no_update, "、".join(f"{names.get(k, k)}:{METHOD_ZH.get(v, v)}"
                                       for k, v in methods.items())
        return methods, "、".join(f"{names.get(k, k)}:{METHOD_ZH.get(v, v)}"
                                 for k, v in methods.items())

    @app.callback(Output("message", "children"), Output("summary", "children"),
                  Output("table", "data"), Output("moves", "data"), Output("bump", "figure"),
                  Output({"type": "eff", "node": ALL}, "children"), Output("points-sum", "children"),
                  Output("valid", "data"),
                  Input("year", "value"), Input("start", "value"),
                  Input({"type": "pts", "node": ALL}, "value"),
                  Input("alpha", "value" if core.start_alpha(ex.scheme) is not None else "data"),
                  Input("extra", "data"), Input("methods", "data"), Input("leaf-alpha", "data"),
                  Input({"type": "tq", "i": ALL}, "value"), Input({"type": "tl", "i": ALL}, "value"),
                  Input({"type": "ts", "i": ALL}, "value"), Input("seq", "value"))
    def update(year: int, start: str, values: list[float | None], alpha: float | None,
               extra: dict[str, Any], methods: dict[str, str], leaf_alpha: dict[str, Any],
               quota: list[float | None], lines: list[float | None],
               shares: list[float | None], seq: str) -> tuple[Any, ...]:
        return page_update(ex, node_ids, seq_names, year=year, start=start, values=values,
                           alpha=alpha, leaf_alpha=leaf_alpha, extra=extra, methods=methods,
                           quota=quota,
                           lines=lines, shares=shares, seq=seq)

    def _valid_view(valid: dict[str, Any], boot: int | None = None
                    ) -> tuple[core.View, core.View]:
        view = core.evaluate(ex, valid["controls"], year=valid["year"], start=valid["start"],
                             boot=boot)
        return core.start_view(ex, valid["start"], valid["year"]), view

    @app.callback(Output("rho", "children"), Input("valid", "data"),
                  prevent_initial_call=True)
    def rho(valid: dict[str, Any] | None) -> Any:
        if not valid:
            return no_update
        try:
            return _size_text(_valid_view(valid, core.LIVE_BOOT)[1].size)
        except Exception as exc:  # noqa: BLE001
            return f"规模相关性无法计算:{exc}"

    @app.callback(Output("download-yaml", "data"), Output("message", "children",
                                                          allow_duplicate=True),
                  Input("export-yaml", "n_clicks"), State("valid", "data"),
                  prevent_initial_call=True)
    def export_yaml(_n: int | None, valid: dict[str, Any] | None) -> tuple[Any, Any]:
        if not valid:
            return no_update, "尚无有效设定可导出。"
        try:
            _, view = _valid_view(valid)
            text = exports.scenario_yaml(ex, view, start=valid["start"])
        except Exception as exc:  # noqa: BLE001
            return no_update, f"导出失败:{exc}"
        return {"content": text, "filename": "explored_scenario.yaml"}, no_update

    @app.callback(Output("download-xlsx", "data"), Output("message", "children",
                                                          allow_duplicate=True),
                  Input("export-xlsx", "n_clicks"), State("valid", "data"),
                  prevent_initial_call=True)
    def export_xlsx(_n: int | None, valid: dict[str, Any] | None) -> tuple[Any, Any]:
        if not valid:
            return no_update, "尚无有效设定可导出。"
        try:
            base, view = _valid_view(valid)
            data = exports.workbook_bytes(base, view)
        except Exception as exc:  # noqa: BLE001
            return no_update, f"导出失败:{exc}"
        return dcc.send_bytes(data, "explored_scores.xlsx"), no_update

    @app.callback(Output("study-out", "children"), Input("run-study", "n_clicks"),
                  State("valid", "data"), prevent_initial_call=True,
                  running=[(Output("run-study", "disabled"), True, False)])
    def study(_n: int | None, valid: dict[str, Any] | None) -> Any:
        if not valid:
            return "尚无有效设定。"
        try:
            probs, sob = core.uncertainty(ex, valid["controls"], year=valid["year"],
                                          start=valid["start"], noise=NOISE, draws=STUDY_DRAWS,
                                          sobol_n=SOBOL_N)
        except Exception as exc:  # noqa: BLE001
            return f"无法计算:{exc}"
        note = (f"等次概率(当前设定;{probs.attrs['draws']}次模拟,各概率的蒙特卡罗标准误"
                f"不超过{probs.attrs['max_se']:.3f})")
        return [html.H5(note), _plain_table("probs", probs),
                html.H5("Sobol指数(平均绝对名次变化)"), _plain_table("sobol", sob)]


def page_update(ex: core.Explorer, node_ids: list[str], seq_names: dict[str, str], *,
                year: int, start: str, values: list[float | None], alpha: float | None,
                extra: dict[str, Any] | None, methods: dict[str, str] | None,
                leaf_alpha: dict[str, Any] | None = None,
                quota: list[float | None], lines: list[float | None],
                shares: list[float | None], seq: str | None) -> tuple[Any, ...]:
    """The main callback's outputs for the controls' values: message, summary, table rows,
    tier-change rows, rank chart, effective points per first-level node (a list), the
    points line and the valid setting. A setting that cannot be scored returns its message
    and ``no_update`` everywhere else (a list of them for the per-node output), so the page
    keeps the last valid state; no exception leaves this function."""
    keep = (no_update,) * 4 + ([no_update] * len(node_ids), no_update, no_update)
    try:
        setting = controls.spec_from_controls(
            ex, start, year, node_values=dict(zip(node_ids, values, strict=True)),
            extra_points=extra, alpha=alpha, leaf_alpha=leaf_alpha, methods=methods,
            quota=quota[0] if quota else None, lines=lines, shares=shares)
        base = core.start_view(ex, start, year)
        view = core.evaluate(ex, setting, year=year, start=start, boot=None)
        cols = changes._columns(base, view)
        moves = changes.tier_moves(base, view, cols)
    except core.ExploreError as exc:
        return (f"设定无效:{exc}。{KEEP}", *keep)
    except Exception as exc:  # noqa: BLE001 - the server must answer every request
        return (f"无法计算该设定({type(exc).__name__}: {exc})。{KEEP}", *keep)
    summary = [
        html.Div(f"一级指标分值合计 {view.points_sum:g} 分(方案总分 {view.points_total:g} 分)"),
        html.Div(f"等次变化的单位:{len(moves)} 个(共 {len(view.columns['unit_id'])} 个)"),
        html.Div("规模相关性计算中…", id="rho"),
    ]
    move_rows = [{"单位": r.name, "基准等次": r.base_tier, "等次": r.tier, "原因": r.reason}
                 for r in moves.itertuples(index=False)]
    eff = [_money(view.node_points[n]) for n in node_ids]
    valid = {"year": year, "start": start, "controls": setting}
    return ("", summary, changes.table_rows(view, cols), move_rows,
            _bump(cols, view, seq, seq_names), eff,
            f"分值合计:{view.points_sum:g} / {view.points_total:g}", valid)


def _plain_table(tid: str, df: pd.DataFrame) -> dash_table.DataTable:
    return dash_table.DataTable(id=tid, columns=[{"name": c, "id": c} for c in df.columns],
                                data=df.round(3).to_dict("records"), sort_action="native",
                                page_size=30)


def run_explorer(ex: core.Explorer, *, year: int | None = None, port: int = 8050,
                 host: str = "127.0.0.1",
                 debug: bool = False, jupyter_mode: str | None = None) -> Dash:
    """Build and serve the app (``jupyter_mode`` 'inline'/'tab'/'jupyterlab' inside
    JupyterLab); returns the app."""
    app = build_app(ex, year=year)
    kwargs: dict[str, Any] = {"port": port, "host": host, "debug": debug}
    if jupyter_mode is not None:
        kwargs["jupyter_mode"] = jupyter_mode
    app.run(**kwargs)
    return app
