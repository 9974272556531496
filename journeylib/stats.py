"""The statistics every analysis shares: intervals of means and proportions, the two-proportion
test and the logistic fit behind the key-driver model. Plain numpy on aggregates, so the engine
only returns counts, sums and sums of squares.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

Z95 = NormalDist().inv_cdf(0.975)
SIGNIFICANT = 0.05


def t_quantile(p: float, df: np.ndarray | float) -> np.ndarray:
    """Quantile ``p`` of Student's t with ``df`` degrees of freedom (vectorised).

    Exact for 1 and 2 degrees of freedom; otherwise the Cornish-Fisher expansion
    (Abramowitz & Stegun 26.7.5), within 0.01 of the exact value from 3 degrees of freedom up.
    NaN where ``df`` < 1.
    """
    df = np.asarray(df, dtype=float)
    z = NormalDist().inv_cdf(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
        out = z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
        out = np.where(df == 1, math.tan(math.pi * (p - 0.5)), out)
        out = np.where(df == 2, (2 * p - 1) / np.sqrt(2 * p * (1 - p)), out)
    return np.where(df >= 1, out, np.nan)


def mean_interval(
    n: np.ndarray | pd.Series, mean: np.ndarray | pd.Series, sd: np.ndarray | pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """95% Student-t interval ``(low, high)`` of a mean from its ``n``, mean and sample sd:
    ``mean ± t(0.975, n - 1) · sd / √n``. NaN where ``n`` < 2 (no spread can be estimated
    from one answer)."""
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    sd = np.nan_to_num(np.asarray(sd, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t_quantile(0.975, n - 1) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def valence_interval(
    n: np.ndarray | pd.Series, mean: np.ndarray | pd.Series, sd: np.ndarray | pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`mean_interval` of a mean valence, cut to the scale's [-1, 1]."""
    low, high = mean_interval(n, mean, sd)
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)


def wilson_interval(successes: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval ``(low, high)`` of a proportion; NaN where ``n`` is 0."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2
    (1.0 when both proportions are 0 or both are 1; NaN when a group is empty)."""
    if n1 == 0 or n2 == 0:
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def proportion_difference(
    y0: np.ndarray, n0: np.ndarray, y1: np.ndarray, n1: np.ndarray
) -> dict[str, np.ndarray]:
    """The difference ``y1/n1 - y0/n0`` of two proportions, vectorised.

    Returns arrays ``rate0``, ``rate1``, ``effect`` (in proportion points, -1..1),
    ``ci_low`` / ``ci_high`` (95% Wald interval, unpooled variance) and ``p_value``
    (two-sided z-test with pooled variance; 1.0 when both groups are all 0 or all 1).
    """
    y0, n0, y1, n1 = (np.asarray(a, dtype=float) for a in (y0, n0, y1, n1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p0, p1 = y0 / n0, y1 / n1
        effect = p1 - p0
        se = np.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
        pooled = (y0 + y1) / (n0 + n1)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        z = np.where(se0 > 0, effect / se0, 0.0)
    p_value = np.array([math.erfc(abs(v) / math.sqrt(2)) for v in np.nan_to_num(z)])
    return {"rate0": p0, "rate1": p1, "effect": effect, "ci_low": effect - Z95 * se,
            "ci_high": effect + Z95 * se, "p_value": p_value}


def normal_p_value(estimate: float, se: float) -> float:
    """Two-sided p-value of ``estimate`` with standard error ``se`` (NaN when ``se`` is 0)."""
    return math.erfc(abs(estimate) / se / math.sqrt(2)) if se > 0 else math.nan


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, ridge: float = 1e-4, iterations: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic regression by iteratively reweighted least squares.

    ``x``: design matrix (include a column of ones for the intercept), ``y``: 0/1 outcome,
    ``weight``: how many customers share each row. A tiny ridge keeps the fit finite when a
    column perfectly predicts the outcome. Returns ``(coefficients, covariance)`` on the
    log-odds scale.
    """
    beta = np.zeros(x.shape[1])
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ beta)))
        w = weight * p * (1 - p)
        hessian = x.T @ (x * w[:, None]) + penalty
        step = np.linalg.solve(hessian, x.T @ (weight * (y - p)) - penalty @ beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-8:
            break
    p = 1 / (1 + np.exp(-(x @ beta)))
    hessian = x.T @ (x * (weight * p * (1 - p))[:, None]) + penalty
    return beta, np.linalg.inv(hessian)
