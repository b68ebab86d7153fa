"""The measurement-error model of the uncertainty studies: which error each indicator and
rating carries, how large, how a unit's errors in successive years are correlated, and
centred draws that keep every value in its valid range.

Why: one relative error on everything biases the studies. A 5 % error on a 98.5 % rate puts
a third of the draws above 100 %; clipping a rating at its maximum only ever lowers it;
independent year errors turn a 5 % level error into a ~100 % increment error, which capped
completion rates then turn into a loss of points. Here each indicator gets the error of its
kind (defaults by indicator class, overridable by a CSV or YAML table):

- ``relative`` (volumes: 亿元, 万元, 元, intensities): x·(1 + σz̃), z̃ the normal deviate
  kept in [−1/σ, 1/σ] by a symmetric fold: mean exactly x, sd σ|x|, never changes sign;
- ``absolute`` (rates in %, percentage points), ``se`` (standard error of a survey or rating
  score, in points) and ``growth`` (an error on an official growth rate, in percentage
  points): x + s·fold(z), zero mean, where fold reflects the normal deviate into the
  symmetric window that keeps x inside its range [lower, upper] (a symmetric fold of a
  symmetric deviate has mean 0, so the draw stays centred; near a bound the spread shrinks,
  and a value on a bound is taken as exact);
- ``none``: exact (event counts, administrative counts).

A unit's deviates of successive years have correlation ρ (``year_correlation``): AR(1), ρ^|s−t|
between years s and t, or ``equal`` (equicorrelated, ρ between any two years). With two
years (this year and last, all study 3 needs) both are the same. ρ is the correlation of the
normal deviates, which is the correlation of the errors wherever the fold does not bind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from ..errors import DataError, Problem
from ..yamlsafe import safe_load

ErrorKind = Literal["relative", "absolute", "se", "growth", "none"]
KINDS: tuple[str, ...] = ("relative", "absolute", "se", "growth", "none")
STRUCTURES: tuple[str, ...] = ("ar1", "equal")
#: the size of the default table's volume error: ``noise`` parameters scale the defaults
#: by noise / REFERENCE_NOISE (noise 0.05 gives the table below, 0.01 a fifth of it)
REFERENCE_NOISE = 0.05
#: |deviate| beyond which a fold is not worth its passes (P(|z| > 8) ≈ 1.2·10⁻¹⁵): the
#: window is then enforced by a symmetric clip, which keeps the mean at 0 as well
FOLD_LIMIT = 8.0
#: the largest |deviate| numpy's ``Generator.standard_normal`` can return: its ziggurat's
#: tail draw is r + (−log u)/r with r = 3.6541 and u ≥ 2⁻⁵³, at most 3.6541 + 36.74/3.6541
#: = 13.71. A window at least this wide cannot bind, so neither fold nor clip is needed
MAX_DEVIATE = 13.72

KIND_ZH = {"relative": "相对误差", "absolute": "绝对误差(百分点)", "se": "标准误(分)",
           "growth": "增速误差(百分点)", "none": "无误差(精确)"}
CLASS_ZH = {"volume": "总量类", "rate": "比率类(%)", "growth_rate": "官方增速",
            "score": "考评得分", "count": "计数类", "rating": "评议得分"}
RATE_UNITS = ("%", "％", "‰")
SCORE_UNITS = ("分",)
COUNT_UNITS = ("人", "起", "批次", "次", "件", "个")


@dataclass(frozen=True)
class ErrorSpec:
    """The error of one indicator or rating component (sizes in its own unit, or a share
    for ``relative``); ``lower``/``upper`` bound its values (None: unbounded)."""

    id: str
    kind: str
    size: float
    year_correlation: float = 0.0
    structure: str = "ar1"
    lower: float | None = None
    upper: float | None = None
    cls: str = "volume"
    source: str = "默认"

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.size > 0


#: the defaults by indicator class at noise = REFERENCE_NOISE (sizes scale with noise):
#: kind, size, year correlation. A rating's size is a share of the component's points.
DEFAULTS: dict[str, tuple[str, float, float]] = {
    "volume": ("relative", 0.05, 0.9),  # statistical revisions move a level and its
    # neighbours together: a unit's level errors are strongly correlated across years
    "rate": ("absolute", 1.0, 0.5),  # one percentage point
    "growth_rate": ("growth", 0.5, 0.0),  # half a point of an official growth rate
    "score": ("se", 1.0, 0.0),  # one point of an assessment score
    "count": ("none", 0.0, 0.0),  # recorded counts are exact
    "rating": ("se", 0.02, 0.0),  # 2 % of the component's points
}


@dataclass(frozen=True)
class ErrorModel:
    """Error specifications by indicator / rating-component id."""

    specs: tuple[ErrorSpec, ...]
    source: str = "默认误差模型"

    def get(self, key: str) -> ErrorSpec:
        for s in self.specs:
            if s.id == key:
                return s
        raise KeyError(f"the error model has no entry for '{key}'")

    def __contains__(self, key: object) -> bool:
        return any(s.id == key for s in self.specs)

    @property
    def active(self) -> bool:
        return any(s.active for s in self.specs)


def indicator_class(leaf: Any) -> str:
    """The default class of a scheme leaf: ``count`` for event deductions and count units,
    ``growth_rate`` for an official growth rate (basis ``given_rate``), ``rate`` for % and
    ‰, ``score`` for 分, else ``volume``."""
    unit = (getattr(leaf, "unit", None) or "").strip()
    if getattr(leaf, "event", None) is not None or unit in COUNT_UNITS:
        return "count"
    if getattr(leaf, "basis", "level") == "given_rate":
        return "growth_rate"
    if unit in RATE_UNITS:
        return "rate"
    if unit in SCORE_UNITS:
        return "score"
    return "volume"


def _observed(data: Any, indicator: str) -> np.ndarray:
    if data is None:
        return np.zeros(0)
    obs = data.observations
    return obs.loc[obs["indicator"] == indicator, "value"].to_numpy(dtype=float)


def _default_bounds(cls: str, unit: str, values: np.ndarray,
                    points: float | None) -> tuple[float | None, float | None]:
    """Rates and scores: [0, 100] (‰: [0, 1000]) where the data lie within it (a rate above
    100 % such as a completion rate keeps only the 0 floor); ratings [0, points]; official
    growth rates above −100 %."""
    if cls == "rating":
        return 0.0, points
    if cls == "growth_rate":
        return -100.0, None
    if cls in ("rate", "score"):
        top = 1000.0 if unit == "‰" else 100.0
        lo = 0.0 if not len(values) or values.min() >= 0 else None
        hi = top if not len(values) or values.max() <= top else None
        return lo, hi
    return None, None


def default_error_model(scheme: Any, data: Any = None, noise: float = REFERENCE_NOISE
                        ) -> ErrorModel:
    """The default table for a scheme's indicators and rating components, sizes scaled by
    ``noise`` / 0.05 (noise 0: no error anywhere). ``data`` (optional) sets the range of
    rates and scores (see ``_default_bounds``)."""
    if noise < 0 or not math.isfinite(noise):
        raise ValueError(f"noise={noise}: the scale of the errors must be ≥ 0")
    scale = noise / REFERENCE_NOISE
    specs = []
    for leaf in scheme.indicators():
        cls = indicator_class(leaf)
        kind, size, rho = DEFAULTS[cls]
        lo, hi = _default_bounds(cls, (leaf.unit or "").strip(), _observed(data, leaf.id), None)
        specs.append(ErrorSpec(leaf.id, kind, size * scale, rho, "ar1", lo, hi, cls))
    for comp in scheme.components:
        if comp.source == "rating":
            kind, share, rho = DEFAULTS["rating"]
            specs.append(ErrorSpec(comp.id, kind, share * comp.points * scale, rho, "ar1",
                                   0.0, float(comp.points), "rating"))
    return ErrorModel(tuple(specs))


# --- reading a table ------------------------------------------------------------------------
COLUMNS = ("id", "kind", "size", "year_correlation", "structure", "lower", "upper")


def _rows_from_yaml(raw: Any, label: str) -> list[dict[str, Any]]:
    if not isinstance(raw, Mapping) or not set(raw) <= {"defaults", "indicators"}:
        raise DataError([Problem(label, "an error-model YAML has the keys 'defaults' "
                                 "(by class) and 'indicators' (by id)", column="(top level)")],
                        headline="Invalid error model")
    rows = []
    for section in ("defaults", "indicators"):
        entries = raw.get(section) or {}
        if not isinstance(entries, Mapping):
            raise DataError([Problem(label, f"'{section}' must map ids to settings",
                                     column=section)], headline="Invalid error model")
        for key, val in entries.items():
            if not isinstance(val, Mapping):
                raise DataError([Problem(label, f"'{section}.{key}' must be a mapping of "
                                         f"{', '.join(COLUMNS[1:])}", column=str(key))],
                                headline="Invalid error model")
            rows.append({"id": str(key), **val, "_where": f"{section}.{key}"})
    return rows


def _number(v: Any) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return float(v)


def load_error_model(path: str | Path, scheme: Any, data: Any = None,
                     noise: float = REFERENCE_NOISE) -> ErrorModel:
    """The default table (``default_error_model``) overridden by a CSV or YAML file.

    CSV columns: ``id`` (an indicator id, a rating-component id, or a class: volume, rate,
    growth_rate, score, count, rating), ``kind``, ``size``, and optionally
    ``year_correlation``, ``structure`` (ar1 | equal), ``lower``, ``upper``; an empty cell
    keeps the default. YAML: ``defaults: {class: {...}}`` and ``indicators: {id: {...}}``.
    Class rows apply first, id rows after; sizes given in the file are taken as they are
    (``noise`` scales only the defaults). Any bad row is a ``DataError`` naming the file,
    row and column.
    """
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise DataError([Problem(label, f"error-model file not found: {path}")],
                        headline="Invalid error model")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            raw = safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise DataError([Problem(label, f"not valid YAML (YAML 格式错误): {exc}")],
                            headline="Invalid error model") from exc
        rows = _rows_from_yaml(raw, label)
    elif path.suffix.lower() == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = [c for c in ("id", "kind", "size") if c not in table.columns]
        unknown = [c for c in table.columns if c not in COLUMNS and c != "note"]
        if missing or unknown:
            raise DataError([Problem(label, f"columns missing {missing}, unknown {unknown}; "
                                     f"expected {', '.join(COLUMNS)} (and note)", row=1)],
                            headline="Invalid error model")
        rows = [{**r, "_where": i + 2} for i, r in enumerate(table.to_dict("records"))]
    else:
        raise DataError([Problem(label, "an error model is a .csv or .yaml file")],
                        headline="Invalid error model")
    base = default_error_model(scheme, data, noise)
    return apply_rows(base, rows, label)


def _check_row(row: Mapping[str, Any], label: str, known: Iterable[str]) -> list[Problem]:
    where = row["_where"]
    rownum = where if isinstance(where, int) else None
    col = (lambda c: c) if rownum is not None else (lambda c: f"{where}.{c}")
    probs: list[Problem] = []
    key = str(row.get("id", "")).strip()
    if key not in known and key not in DEFAULTS:
        probs.append(Problem(label, f"'{key}' is neither an indicator or rating component of "
                             f"the scheme nor a class ({', '.join(DEFAULTS)})", row=rownum,
                             column=col("id"), value=key))
    unknown = set(row) - set(COLUMNS) - {"_where", "note"}
    if unknown:
        probs.append(Problem(label, f"unknown keys {sorted(unknown)}", row=rownum,
                             column=col("id")))
    kind = str(row.get("kind", "") or "").strip()
    if kind and kind not in KINDS:
        probs.append(Problem(label, f"kind must be one of {', '.join(KINDS)}", row=rownum,
                             column=col("kind"), value=kind))
    for c, ok, rule in (("size", lambda v: v >= 0, "≥ 0"),
                        ("year_correlation", lambda v: 0 <= v <= 1, "in [0, 1]"),
                        ("lower", lambda v: True, ""), ("upper", lambda v: True, "")):
        try:
            v = _number(row.get(c))
        except (TypeError, ValueError):
            probs.append(Problem(label, f"{c} must be a number", row=rownum, column=col(c),
                                 value=row.get(c)))
            continue
        if v is not None and (not math.isfinite(v) or not ok(v)):
            probs.append(Problem(label, f"{c} must be a finite number {rule}".strip(),
                                 row=rownum, column=col(c), value=v))
    st = str(row.get("structure", "") or "").strip()
    if st and st not in STRUCTURES:
        probs.append(Problem(label, f"structure must be {' or '.join(STRUCTURES)}", row=rownum,
                             column=col("structure"), value=st))
    return probs


def apply_rows(base: ErrorModel, rows: list[dict[str, Any]], label: str) -> ErrorModel:
    """Override ``base`` by rows (class rows first, then id rows); checks every row."""
    known = [s.id for s in base.specs]
    problems = [p for r in rows for p in _check_row(r, label, known)]
    if problems:
        raise DataError(problems, headline="Invalid error model")
    specs = {s.id: s for s in base.specs}
    ordered = [r for r in rows if r["id"] in DEFAULTS and r["id"] not in specs] + \
        [r for r in rows if r["id"] in specs]
    for r in ordered:
        targets = [s for s in specs.values() if s.cls == r["id"]] if r["id"] not in specs \
            else [specs[r["id"]]]
        for s in targets:
            upd: dict[str, Any] = {"source": f"{label}"}
            if str(r.get("kind", "") or "").strip():
                upd["kind"] = str(r["kind"]).strip()
            for c in ("size", "year_correlation"):
                v = _number(r.get(c))
                if v is not None:
                    upd[c] = v
            if str(r.get("structure", "") or "").strip():
                upd["structure"] = str(r["structure"]).strip()
            for c in ("lower", "upper"):
                if c in r and _number(r.get(c)) is not None:
                    upd[c] = _number(r.get(c))
            new = replace(s, **upd)
            if new.kind in ("relative", "none"):
                new = replace(new, lower=None, upper=None)
            if new.lower is not None and new.upper is not None and new.lower >= new.upper:
                raise DataError([Problem(label, f"'{s.id}': lower {new.lower:g} is not below "
                                         f"upper {new.upper:g}", column="lower")],
                                headline="Invalid error model")
            specs[s.id] = new
    return ErrorModel(tuple(specs[k] for k in known), source=label)


def resolve_error_model(spec: ErrorModel | str | Path | float | None, scheme: Any,
                        data: Any = None, noise: float = REFERENCE_NOISE) -> ErrorModel:
    """An ``ErrorModel`` from a run parameter: a model as it is, a file path (empty: the
    defaults), a number (the noise scale of the defaults) or None (no error)."""
    if isinstance(spec, ErrorModel):
        return spec
    if spec is None:
        return default_error_model(scheme, data, 0.0)
    if isinstance(spec, int | float):
        return default_error_model(scheme, data, float(spec))
    if not str(spec).strip():
        return default_error_model(scheme, data, noise)
    if noise == 0:
        return default_error_model(scheme, data, 0.0)
    return load_error_model(spec, scheme, data, noise)


def check_values(model: ErrorModel, ids: list[str], unit_ids: list[str], values: np.ndarray,
                 label: str = "observations.csv") -> None:
    """Official values (N, K) outside their error model's range are a ``DataError``."""
    problems = []
    for k, key in enumerate(ids):
        s = model.get(key)
        if not s.active:
            continue
        col = values[:, k]
        bad = np.flatnonzero(np.isfinite(col) & (
            (col < s.lower if s.lower is not None else False)
            | (col > s.upper if s.upper is not None else False)))
        problems += [Problem(label, f"'{key}' of unit '{unit_ids[i]}' is {col[i]:g}, outside "
                             f"the error model's range [{s.lower}, {s.upper}]", column="value",
                             value=float(col[i])) for i in bad[:10]]
    if problems:
        raise DataError(problems, headline="Values outside the error model's range")


def absolute_error_unit(cls: str, unit: str | None) -> str:
    """The unit an absolute error of an indicator is stated in: percentage points for a %
    indicator (per-mille points for ‰), 分 for a score or rating, else the indicator's own
    unit (an absolute error of 500 on 固定资产投资 is 500万元, not 500 percentage points);
    "" when the unit is unknown."""
    u = (unit or "").strip()
    if u == "%" or (not u and cls in ("rate", "growth_rate")):
        return "个百分点"
    if u == "‰":
        return "个千分点"
    if not u and cls in ("score", "rating"):
        return "分"
    return u


def error_size_units(errors: pd.DataFrame) -> list[str]:
    """Per row of an error model's table (``error_model_table``), the unit its absolute
    error size is stated in (``absolute_error_unit``; a table without ``unit``: by class),
    "" for other kinds (a relative 5 % needs none)."""
    units = errors["unit"] if "unit" in errors else pd.Series("", index=errors.index)
    return [absolute_error_unit(str(c), u if isinstance(u, str) else "") if k == "absolute"
            else "" for c, k, u in zip(errors["class"], errors["kind"], units, strict=True)]


def error_model_table(model: ErrorModel, names: Mapping[str, str] | None = None,
                      units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The error model as the chapter shows it: one row per indicator or rating (id, name,
    class, kind, size, year_correlation, structure, lower, upper, source, unit: the
    indicator's unit from ``units``, in which an absolute error is stated)."""
    names, units = names or {}, units or {}
    rows = [{"id": s.id, "name": names.get(s.id, s.id), "class": s.cls, "kind": s.kind,
             "size": round(s.size, 9) if s.active else 0.0,
             "year_correlation": s.year_correlation, "structure": s.structure,
             "lower": s.lower, "upper": s.upper, "source": s.source,
             "unit": units.get(s.id, "")} for s in model.specs]
    return pd.DataFrame(rows, columns=["id", "name", "class", "kind", "size",
                                       "year_correlation", "structure", "lower", "upper",
                                       "source", "unit"])


# --- arrays of one indicator's error, and draws ----------------------------------------------
@dataclass(frozen=True)
class ErrorArrays:
    """Per column (leaf or rating component): kind code (0 none, 1 relative, 2 additive),
    size, year correlation, bounds (±inf when open); picklable, for vectorised draws."""

    code: np.ndarray
    size: np.ndarray
    rho: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @classmethod
    def of(cls, model: ErrorModel, ids: list[str]) -> ErrorArrays:
        specs = [model.get(i) for i in ids]
        return cls(
            code=np.array([0 if not s.active else 1 if s.kind == "relative" else 2
                           for s in specs], dtype=np.int8),
            size=np.array([s.size if s.active else 0.0 for s in specs]),
            rho=np.array([s.year_correlation for s in specs]),
            lower=np.array([-np.inf if s.lower is None else s.lower for s in specs]),
            upper=np.array([np.inf if s.upper is None else s.upper for s in specs]))


def fold(z: np.ndarray, a: np.ndarray | float) -> np.ndarray:
    """Reflect deviates ``z`` (D, N) into [−a, a] (a triangle wave of period 4a): an odd map,
    so a symmetric deviate stays symmetric and its mean stays 0. ``a`` (N,) or scalar, > 0."""
    a = np.asarray(a, dtype=float)
    period = 4 * a
    y = z + a
    np.mod(y, period, out=y)
    np.subtract(period, y, out=y, where=y > 2 * a)
    y -= a
    return y


def additive(x: np.ndarray, size: float, lower: float, upper: float,
             z: np.ndarray) -> np.ndarray:
    """x + s·fold(z) (D, N) from deviates ``z`` (D, N), consumed: zero mean, inside
    [lower, upper]; a value on a bound (or outside, or missing) gets no error."""
    room = np.minimum(x - lower, upper - x)
    ok = room > 0
    s = np.where(ok, size, 0.0)
    if np.isfinite(lower) or np.isfinite(upper):
        a = np.where(ok, room, 1.0) / (size if size > 0 else 1.0)
        a = np.minimum(a, 1e6)  # an open side (±inf) never binds
        low = float(a.min())
        if low < FOLD_LIMIT:
            z = fold(z, a)
        elif low < MAX_DEVIATE:
            np.clip(z, -a, a, out=z)  # symmetric: still centred; binds with P < 10⁻¹⁴
    z *= s
    z += x
    return z


def relative(x: np.ndarray, size: float, z: np.ndarray) -> np.ndarray:
    """x·(1 + σ·z̃) (D, N) from deviates ``z``, consumed: z̃ is z kept in [−1/σ, 1/σ] (folded
    there when 1/σ < ``FOLD_LIMIT``, else by a symmetric clip that binds with P < 10⁻¹⁴),
    so the mean is exactly x, the sd σ|x| and the sign never changes. Two passes over the
    deviates at σ < 7 % (no deviate reaches the window), no exponential: the draw costs
    little next to the deviates themselves."""
    a = 1.0 / size
    if a < FOLD_LIMIT:
        z = fold(z, a)
    elif a < MAX_DEVIATE:
        np.clip(z, -a, a, out=z)
    # else (σ < 1/13.72, e.g. 5 %): no deviate reaches the window (``MAX_DEVIATE``)
    z *= size * x
    z += x
    return z


def noisy(x: np.ndarray, arrays: ErrorArrays, j: int, z: np.ndarray) -> np.ndarray:
    """Values ``x`` (N,) with column ``j``'s error from deviates ``z`` (D, N)."""
    if arrays.code[j] == 1:
        return relative(x, float(arrays.size[j]), z)
    return additive(x, float(arrays.size[j]), float(arrays.lower[j]), float(arrays.upper[j]), z)


def draw_pair(rng: np.random.Generator, arrays: ErrorArrays, j: int, level: np.ndarray,
              previous: np.ndarray | None, draws: int
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """Noisy this-year and last-year values (D, N) of column ``j``: deviates z (this year)
    and ρz + √(1 − ρ²)w (last year), drawn in that order (w only when ρ < 1)."""
    n = len(level)
    z = rng.standard_normal((draws, n))
    zp = None
    if previous is not None:
        rho = float(arrays.rho[j])
        if rho >= 1:
            zp = z.copy()
        else:
            zp = rng.standard_normal((draws, n))
            if rho >= 1e-3:  # ρz + √(1 − ρ²)w in three in-place passes
                zp *= math.sqrt(1 - rho * rho) / rho
                zp += z
                zp *= rho
            elif rho > 0:
                zp *= math.sqrt(1 - rho * rho)
                zp += rho * z
    lev = noisy(level, arrays, j, z)
    prev = None if zp is None else noisy(previous, arrays, j, zp)  # type: ignore[arg-type]
    return lev, prev


def correlated_deviates(rng: np.random.Generator, shape: tuple[int, ...], years: int,
                        rho: float, structure: str = "ar1") -> np.ndarray:
    """Standard normal deviates (*shape, years) whose years are correlated: AR(1) (ρ^|s−t|)
    or ``equal`` (ρ between any two). The last year is drawn first, as ``draw_pair``."""
    z = rng.standard_normal((*shape, years))
    if rho <= 0 or years < 2:
        return z
    if structure == "equal":
        common = rng.standard_normal((*shape, 1))
        z *= math.sqrt(1 - rho)
        z += math.sqrt(rho) * common
        return z
    c = math.sqrt(1 - rho * rho)
    for t in range(years - 2, -1, -1):  # backwards from the current year: few years
        z[..., t] *= c
        z[..., t] += rho * z[..., t + 1]
    return z


def draw_history(rng: np.random.Generator, hist: np.ndarray, spec: ErrorSpec,
                 draws: int) -> np.ndarray:
    """Noisy copies (D, N, Y) of one indicator's history (N, Y), current year last, with
    the spec's kind, size, range and correlation across years."""
    if not spec.active:
        return np.broadcast_to(hist, (draws, *hist.shape)).copy()
    n, y = hist.shape
    z = correlated_deviates(rng, (draws, n), y, spec.year_correlation, spec.structure)
    arrays = ErrorArrays.of(ErrorModel((spec,)), [spec.id])
    out = np.empty_like(z)
    for t in range(y):
        out[..., t] = noisy(hist[:, t], arrays, 0, np.ascontiguousarray(z[..., t]))
    return out


def model_for(ids: list[str], kind: str, size: float, rho: float = 0.0) -> ErrorModel:
    """A model with one error for the ids given (tests, simple studies)."""
    return ErrorModel(tuple(ErrorSpec(i, kind, size, rho) for i in ids), source="given")
