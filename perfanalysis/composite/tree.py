"""The hierarchy of a composite indicator: nodes, weights at every level, effective weights.

Leaves are indicators (height 1); a node's height is one more than its tallest child, so
trees of uneven depth aggregate bottom-up in a well-defined order. Weights are relative
among siblings; the effective weight of an indicator is the product of its normalised
weights on the path to the root (the share of the index it carries under the arithmetic
mean with full data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..errors import SchemeError


@dataclass(frozen=True)
class TreeNode:
    """One node: its code, parent (None for the root), relative weight and direction."""

    code: str
    parent: str | None
    weight: float = 1.0
    name: str = ""
    direction: int = 1
    aggregation: str | None = None  # node's own method; None = the level's
    p: float | None = None
    min_availability: float | None = None


@dataclass(frozen=True)
class Hierarchy:
    """A validated tree: one root, every parent known, no cycles, positive weights."""

    nodes: tuple[TreeNode, ...]
    _by_code: dict[str, TreeNode] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, TreeNode] = {}
        for n in self.nodes:
            if n.code in by_code:
                raise SchemeError(f"hierarchy: code '{n.code}' appears twice")
            if not n.weight > 0:
                raise SchemeError(f"hierarchy: weight of '{n.code}' must be positive, "
                                  f"got {n.weight}")
            if n.direction not in (1, -1):
                raise SchemeError(f"hierarchy: direction of '{n.code}' must be 1 or -1")
            by_code[n.code] = n
        children: dict[str, list[str]] = {c: [] for c in by_code}
        roots = []
        for n in self.nodes:
            if n.parent is None:
                roots.append(n.code)
            elif n.parent not in by_code:
                raise SchemeError(f"hierarchy: parent '{n.parent}' of '{n.code}' is not a node")
            else:
                children[n.parent].append(n.code)
        if len(roots) != 1:
            raise SchemeError(f"hierarchy: needs exactly one root (node without parent), "
                              f"got {roots}")
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_children", children)
        seen: set[str] = set()
        stack = [roots[0]]
        while stack:
            c = stack.pop()
            seen.add(c)
            stack.extend(children[c])
        if len(seen) != len(by_code):
            raise SchemeError(f"hierarchy: nodes not reachable from the root (a cycle?): "
                              f"{sorted(set(by_code) - seen)}")

    # --- navigation -------------------------------------------------------------------
    def node(self, code: str) -> TreeNode:
        return self._by_code[code]

    def children(self, code: str) -> list[str]:
        """Children in declaration order."""
        return list(self._children[code])

    @property
    def root(self) -> str:
        return next(n.code for n in self.nodes if n.parent is None)

    @property
    def indicators(self) -> list[str]:
        """Leaves in declaration order."""
        return [n.code for n in self.nodes if not self._children[n.code]]

    def height(self, code: str) -> int:
        """1 for an indicator, else 1 + the tallest child's height."""
        kids = self._children[code]
        return 1 if not kids else 1 + max(self.height(k) for k in kids)

    def aggregation_order(self) -> list[str]:
        """Inner nodes, children before parents (by height, then declaration order)."""
        inner = [n.code for n in self.nodes if self._children[n.code]]
        return sorted(inner, key=lambda c: (self.height(c), inner.index(c)))

    def effective_weights(self) -> pd.Series:
        """Each indicator's share of the root: product of sibling-normalised weights."""
        out: dict[str, float] = {}
        for code in self.indicators:
            w = 1.0
            node = self._by_code[code]
            while node.parent is not None:
                sibs = self._children[node.parent]
                w *= node.weight / sum(self._by_code[s].weight for s in sibs)
                node = self._by_code[node.parent]
            out[code] = w
        return pd.Series(out, name="effective_weight")

    def with_weights(self, weights: dict[str, float]) -> Hierarchy:
        """A copy with some nodes' weights replaced (for sensitivity runs)."""
        unknown = set(weights) - set(self._by_code)
        if unknown:
            raise SchemeError(f"hierarchy: weights name unknown nodes {sorted(unknown)}")
        return Hierarchy(tuple(
            TreeNode(**{**n.__dict__, "weight": float(weights.get(n.code, n.weight))})
            for n in self.nodes))

    def table(self) -> pd.DataFrame:
        """One row per node: code, name, parent, height, weight, direction, effective weight."""
        eff = self.effective_weights()
        return pd.DataFrame([{
            "code": n.code, "name": n.name, "parent": n.parent, "height": self.height(n.code),
            "weight": n.weight, "direction": n.direction,
            "effective_weight": eff.get(n.code, float("nan")),
        } for n in self.nodes])

    @classmethod
    def from_nodes(cls, nodes: Iterable[TreeNode]) -> Hierarchy:
        return cls(tuple(nodes))
