"""Growth models for the fairness study: conditional growth percentiles and value-added.

Conditional growth percentiles follow Betebenner's student-growth-percentile idea: quantile
regressions (statsmodels ``QuantReg``'s algorithm, run for all τ at once by
``quantreg_params``) of the current value on the prior value(s) at τ = 0.01 … 0.99; a
unit's percentile is how many fitted quantiles lie at or below its actual value. When several years are pooled (small cross-sections), the regressions carry year
fixed effects, with the evaluated year as the reference, so a slow year does not move every
unit's percentile. The value-added residual is the standardised residual of an OLS of current
on prior within one year (its intercept is that year's effect). Both work on a log scale by
default, so a unit's growth is judged against units that started from a similar size.
"""

from __future__ import annotations

import warnings
from collections import deque

import numpy as np
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

TAUS = np.round(np.arange(1, 100) / 100.0, 2)  # τ = 0.01 … 0.99


def _design(priors: np.ndarray) -> np.ndarray:
    """Intercept plus prior columns, shaped (n, 1 + P)."""
    priors = np.asarray(priors, dtype=float)
    if priors.ndim == 1:
        priors = priors[:, None]
    return np.column_stack([np.ones(len(priors)), priors])


def year_effects(years: np.ndarray, reference: int) -> np.ndarray:
    """Year dummies (n, Y−1) of the pooled rows, the ``reference`` year left out (its rows
    are all zero), so predictions at zero dummies are for the reference year."""
    years = np.asarray(years)
    others = [y for y in np.unique(years) if y != reference]
    return np.column_stack([(years == y).astype(float) for y in others]) if others else \
        np.zeros((len(years), 0))


def quantreg_params(endog: np.ndarray, exog: np.ndarray, taus: np.ndarray,
                    max_iter: int = 5000, p_tol: float = 1e-6) -> np.ndarray:
    """Quantile-regression coefficients (len(taus), p) of ``endog`` on ``exog`` at every τ.

    The iteratively reweighted least squares of statsmodels' ``QuantReg.fit`` (start at
    ones, weights 1/|ρ_τ(residual)| with residuals floored at 1e-6, stop when no
    coefficient moves more than ``p_tol``, on a detected cycle, or after ``max_iter``
    iterations), run for all τ together: the small normal-equation inverses of the taus
    still iterating are taken in one batched ``pinv`` and the reweighting is one array
    operation, which is where the 99 separate fits spent their time. Every product is the
    same ``np.dot`` per τ as in statsmodels, so the coefficients are bit-identical to its
    ``fit(q=τ, max_iter=max_iter).params`` (tests/test_fairness.py checks it), about four
    times faster."""
    n_t = len(taus)
    beta = np.ones((n_t, exog.shape[1]))
    xstar = np.broadcast_to(exog, (n_t, *exog.shape)).copy()
    active = np.arange(n_t)
    history: deque[np.ndarray] = deque(maxlen=10)  # the cycle check looks 9 steps back
    n_iter = 0
    while n_iter < max_iter and len(active):
        n_iter += 1
        xs_t = [xstar[t].T for t in active]
        inv = np.linalg.pinv(np.stack([np.dot(x, exog) for x in xs_t]))
        new = np.stack([np.dot(inv[k], np.dot(x, endog)) for k, x in enumerate(xs_t)])
        resid = endog - np.stack([np.dot(exog, b) for b in new])
        small = np.abs(resid) < 0.000001
        resid[small] = ((resid[small] >= 0) * 2 - 1) * 0.000001
        q = taus[active][:, None]
        resid = np.abs(np.where(resid < 0, q * resid, (1 - q) * resid))
        xstar[active] = exog[None] / resid[:, :, None]
        diff = np.max(np.abs(new - beta[active]), axis=1)
        beta[active] = new
        history.append(beta.copy())
        keep = diff > p_tol
        if n_iter >= 300 and n_iter % 100 == 0:  # statsmodels' convergence-cycle check
            for k, t in enumerate(active):
                if any(np.all(new[k] == history[-ii][t]) for ii in range(2, 10)):
                    keep[k] = False
        active = active[keep]
    return beta


def quantile_predictions(current_fit: np.ndarray, priors_fit: np.ndarray,
                         priors_eval: np.ndarray, taus: np.ndarray = TAUS,
                         effects_fit: np.ndarray | None = None) -> np.ndarray:
    """Fitted quantiles (n_eval, len(taus)) of current given priors, sorted along τ.

    The regressions are fitted on (current_fit, priors_fit[, effects_fit]) and evaluated at
    priors_eval with the fixed-effect columns ``effects_fit`` (e.g. ``year_effects``) at zero,
    i.e. in their reference category. Quantile lines can cross; sorting each unit's
    predictions makes them monotone in τ (the rearrangement of Chernozhukov, Fernández-Val
    and Galichon).
    """
    x_fit = _design(priors_fit)
    x_eval = _design(priors_eval)
    if effects_fit is not None and np.shape(effects_fit)[-1]:
        eff = np.asarray(effects_fit, dtype=float).reshape(len(x_fit), -1)
        x_fit = np.column_stack([x_fit, eff])
        x_eval = np.column_stack([x_eval, np.zeros((len(x_eval), eff.shape[1]))])
    with warnings.catch_warnings():
        # tiny cross-sections (8 counties) hit the iteration limit at extreme τ; the fit
        # is still the best found and the rearrangement below keeps predictions monotone
        warnings.simplefilter("ignore", RuntimeWarning)
        params = quantreg_params(np.asarray(current_fit, dtype=float), x_fit, taus)
    pred = x_eval @ params.T
    return np.sort(pred, axis=1)


def growth_percentiles(current_fit: np.ndarray, priors_fit: np.ndarray,
                       current_eval: np.ndarray, priors_eval: np.ndarray,
                       effects_fit: np.ndarray | None = None) -> np.ndarray:
    """Percentile 1–99 of each evaluated unit: fitted quantiles at or below its value
    (``effects_fit``: fixed-effect columns of the fit rows, zero for the evaluated rows)."""
    pred = quantile_predictions(current_fit, priors_fit, priors_eval,
                                effects_fit=effects_fit)
    tol = 1e-9 * np.maximum(1.0, np.abs(np.asarray(current_eval, dtype=float)))
    count = (pred <= np.asarray(current_eval, dtype=float)[:, None] + tol[:, None]).sum(axis=1)
    return np.clip(count, 1, 99).astype(float)


def value_added_statsmodels(current: np.ndarray, priors: np.ndarray) -> tuple[np.ndarray, float,
                                                                              float]:
    """Standardised (internally studentised) OLS residuals of current on priors, with the
    first prior's slope and its HC3 standard error (statsmodels)."""
    x = _design(priors)
    with warnings.catch_warnings():
        # a perfect fit (s = 0) or a collinear design yields NaN residuals; callers map them
        # to 0 (no value added), so statsmodels' warnings about it are noise here
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        fit = OLS(np.asarray(current, dtype=float), x).fit(cov_type="HC3")
        resid = fit.get_influence().resid_studentized_internal
    return np.asarray(resid, dtype=float), float(fit.params[1]), float(fit.bse[1])


def value_added_batched(current: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Standardised OLS residuals for many data copies at once.

    ``current`` is (..., n) and ``priors`` (..., n, P); every leading index is its own
    regression (normal equations, batched), so noise draws need no Python loop. Same
    figures as ``value_added_statsmodels`` (internally studentised residuals
    e_i / (s·√(1 − h_ii)), s² = SSE/(n − 1 − P)).
    """
    current = np.asarray(current, dtype=float)
    priors = np.asarray(priors, dtype=float)
    n = current.shape[-1]
    x = np.concatenate([np.ones((*priors.shape[:-1], 1)), priors], axis=-1)  # (..., n, p)
    p = x.shape[-1]
    xtx = np.einsum("...ni,...nj->...ij", x, x)
    xty = np.einsum("...ni,...n->...i", x, current)
    inv = np.linalg.pinv(xtx)
    beta = np.einsum("...ij,...j->...i", inv, xty)
    resid = current - np.einsum("...ni,...i->...n", x, beta)
    dof = max(n - p, 1)
    s = np.sqrt((resid ** 2).sum(axis=-1, keepdims=True) / dof)
    h = np.einsum("...ni,...ij,...nj->...n", x, inv, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = resid / (s * np.sqrt(np.clip(1.0 - h, 0.0, None)))
    return np.where(np.isfinite(z), z, 0.0)
