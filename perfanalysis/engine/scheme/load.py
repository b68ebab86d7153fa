"""Reading a scheme: YAML (safe loader) or a mapping validated into a ``Scheme``, with
errors that name every bad key path (node ids included), what is allowed there, and the
key a misspelt one was probably meant to be (did you mean …?), in English and Chinese.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ...errors import SchemeError
from ...yamlsafe import safe_load
from .model import EventRule, Group, Indicator, ProgressRule, RankImprovementRule, Scheme


def _key_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """Render a pydantic location with node ids: components[indicators].children[gdp]."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if item in ("group", "indicator", "events", "rank_improvement", "progress") and not (
            isinstance(node, Mapping) and item in node
        ):
            continue  # discriminator tags pydantic inserts
        if isinstance(item, int) and isinstance(node, list):
            label = str(item)
            if 0 <= item < len(node) and isinstance(node[item], Mapping) and "id" in node[item]:
                label = f"{item}:{node[item]['id']}"
            parts.append(f"[{label}]")
            node = node[item] if 0 <= item < len(node) else None
        else:
            parts.append(f".{item}" if parts else str(item))
            node = node.get(item) if isinstance(node, Mapping) else None
    return "".join(parts) or "(top level)"


_TAGGED: dict[str, type[BaseModel]] = {}  # filled below: discriminator tag -> model


def _unwrap(ann: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = get_origin(ann)
        if origin is Annotated:
            ann = get_args(ann)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(ann) if a is not type(None)]
            if len(args) != 1:
                return ann
            ann = args[0]
        else:
            return ann


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose field a pydantic location ends in (for listing its allowed keys)."""
    model: type[BaseModel] | None = Scheme
    ann: Any = None
    for item in loc:
        if isinstance(item, str) and item in _TAGGED and (model is None):
            model, ann = _TAGGED[item], None
            continue
        if model is not None:
            field = model.model_fields.get(str(item))
            if field is None:
                return None
            ann, model = _unwrap(field.annotation), None
        else:
            origin = get_origin(ann)
            if origin is list:
                ann = _unwrap(get_args(ann)[0])
            elif origin is dict:
                ann = _unwrap(get_args(ann)[1])
            else:
                return None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model, ann = ann, None
    return model


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model = _model_at(loc[:-1])
    return list(model.model_fields) if model is not None else []


_EXPECTED = {
    "float": "a number", "int": "a whole number", "bool": "true or false",
    "string": "text", "list": "a list (items starting with '- ')",
    "dict": "a mapping of keys", "model": "a mapping of keys",
}


_EXPECTED_ZH = {"float": "数字", "int": "整数", "bool": "true 或 false", "string": "文字",
                "list": "列表(每项以“- ”开头)", "dict": "键值映射", "model": "键值映射"}


def _suggestion(err: Mapping[str, Any]) -> str | None:
    """The allowed key an unknown key was probably meant to be (mehtod → method)."""
    loc = tuple(err["loc"])
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc), n=1, cutoff=0.6)
    return close[0] if close else None


def _describe(err: Mapping[str, Any]) -> tuple[str, str]:
    """One validation error as text naming what is allowed, in English and Chinese."""
    kind = str(err["type"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, (Mapping, list)) else f"; got {got!r}"
    shown_zh = "" if isinstance(got, (Mapping, list)) else f";实际为 {got!r}"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        guess = _suggestion(err)
        allowed = _allowed_keys(tuple(err["loc"]))
        listing = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        if guess:
            return (f"unknown key '{key}' (check spelling): did you mean '{guess}'?{listing}",
                    f"未知的键“{key}”,是否应为“{guess}”?")
        return (f"unknown key (check spelling){listing} — see data/schemes/README.md",
                f"未知的键“{key}”(请检查拼写);此处允许的键:{', '.join(allowed)}")
    if kind == "literal_error":
        return f"{msg}{shown}", f"取值不在允许范围内:{msg.removeprefix('Input should be ')}{shown_zh}"
    if kind == "missing":
        return "required key is missing", "缺少必填的键"
    for prefix, what in _EXPECTED.items():
        if kind.startswith(prefix):
            return (f"expected {what}{shown} ({msg})",
                    f"类型不对:应为{_EXPECTED_ZH[prefix]}{shown_zh}")
    bounds = {"greater_than": ("gt", "应大于"), "greater_than_equal": ("ge", "应不小于"),
              "less_than": ("lt", "应小于"), "less_than_equal": ("le", "应不大于")}
    if kind in bounds:
        key, words = bounds[kind]
        limit = (err.get("ctx") or {}).get(key, "")
        return f"{msg}{shown}", f"取值超出范围:{words}{limit}{shown_zh}"
    text = msg if kind == "value_error" else f"{msg}{shown}"
    return text, f"取值有误:{text}"


def _folded(raw: Any, errors: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Drop "missing 'method'" where the same node has an unknown key meant to be 'method'."""
    meant = {(tuple(e["loc"][:-1]), _suggestion(e)) for e in errors
             if e["type"] == "extra_forbidden"}
    return [e for e in errors
            if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), e["loc"][-1]) in meant)]


def scheme_from_mapping(raw: Any, file: str | None = None) -> Scheme:
    """Validate a mapping (parsed YAML) into a Scheme; errors name every bad key path."""
    if not isinstance(raw, Mapping):
        raise SchemeError(f"a scheme must be a mapping of keys, got {type(raw).__name__}",
                          file=file)
    try:
        return Scheme.model_validate(raw)
    except ValidationError as exc:
        lines = []
        paths = []
        for err in _folded(raw, exc.errors()):
            path = _key_path(raw, tuple(err["loc"]))
            paths.append(path)
            en, zh = _describe(err)
            lines.append(f"{path}: {en}\n    {zh}")
        head = f"{len(lines)} problem(s) in scheme / 考核方案有 {len(lines)} 处错误"
        more = f"\n  … and {len(lines) - 20} more" if len(lines) > 20 else ""
        error = SchemeError(head + ":\n  - " + "\n  - ".join(lines[:20]) + more, file=file)
        error.path = paths[0] if paths else None
        raise error from exc


_TAGGED.update({"group": Group, "indicator": Indicator, "events": EventRule,
                "rank_improvement": RankImprovementRule, "progress": ProgressRule})


def load_scheme(path: Path | str) -> Scheme:
    """Read and validate a scheme YAML file (safe loader: no tags, nothing evaluated)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SchemeError("scheme file not found / 找不到考核方案文件", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise SchemeError("scheme file is not UTF-8 text: save it as UTF-8 / 方案文件不是 UTF-8 "
                          "编码,请另存为 UTF-8", file=str(path)) from exc
    try:
        raw = safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError(f"not valid YAML (YAML 格式错误,请检查缩进、冒号和括号): {exc}",
                          file=str(path)) from exc
    return scheme_from_mapping(raw, file=str(path))
