"""Demand forecasting for one series (units per period), with no dependencies.

Methods (each returns a [`Forecast`][] with its one-step-ahead fitted values, the
forecast for ``horizon`` periods and the residual standard deviation):

* [`naive`][] - the last value; the baseline every method is compared with;
* [`seasonal_naive`][] - the value one season ago;
* [`moving_average`][] - the mean of the last ``window`` periods;
* [`ses`][] - simple exponential smoothing, ``l_t = a y_t + (1 - a) l_(t-1)``;
* [`holt_winters`][] - additive level, trend and season (``m`` periods);
* [`croston`][] - intermittent demand: smooth the non-zero sizes ``z`` and the
  intervals ``p`` between them, forecast ``z / p``; ``variant="sba"`` multiplies by
  ``1 - a/2`` (Syntetos-Boylan), ``variant="tsb"`` smooths the probability of demand
  every period and forecasts ``pi * z`` (Teunter-Syntetos-Babai), which decays for a
  dying item.

[`backtest`][] forecasts the last periods from rolling origins (each fitted only on
what came before) and measures MAE, RMSE, bias, MAPE (``None`` when an actual is zero),
sMAPE and MASE (MAE over the in-sample naive MAE). [`choose`][] picks the method
with the lowest MASE on the holdout; [`classify`][] puts a series in the
Syntetos-Boylan classes. Quantities are floats: forecasts are estimates of units, never
money.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Mapping, Sequence

import attrs

from omskit.errors import ValidationError

__all__ = [
    "METHODS",
    "Accuracy",
    "Forecast",
    "Method",
    "backtest",
    "choose",
    "classify",
    "croston",
    "holt_winters",
    "moving_average",
    "naive",
    "seasonal_naive",
    "ses",
]

_GRID = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


@attrs.frozen
class Forecast:
    """What a method forecasts for a series.

    Attributes:
        method: the method's name (with its parameters in ``params``).
        fitted: the one-step-ahead forecast of each period of the history (``None``
            while the method is still warming up).
        values: the forecast for each of the next ``horizon`` periods.
        sigma: the standard deviation of the one-step errors over the history
            (root mean square; 0 when there are none).
    """

    method: str
    values: tuple[float, ...]
    fitted: tuple[float | None, ...] = ()
    sigma: float = 0.0
    params: Mapping[str, float] = attrs.field(factory=dict)

    def interval(self, level: float = 0.95) -> tuple[tuple[float, float], ...]:
        """The central ``level`` prediction interval per period, floored at 0.

        ``value -/+ z * sigma * sqrt(h)`` with ``z`` the normal quantile of
        ``(1 + level) / 2``: at 0.95 each end leaves 2.5 % outside (z = 1.96).

        Raises:
            ValidationError: ``level`` not strictly between 0 and 1 (field ``level``).
        """
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
            raise ValidationError("level", level, "expected a probability between 0 and 1")
        z = statistics.NormalDist().inv_cdf((1 + level) / 2)
        return tuple(
            (max(0.0, v - z * self.sigma * math.sqrt(h)), v + z * self.sigma * math.sqrt(h))
            for h, v in enumerate(self.values, start=1)
        )

    @property
    def mean(self) -> float:
        """The mean forecast per period over the horizon."""
        return statistics.fmean(self.values) if self.values else 0.0


def _z(level: float) -> float:
    if not 0.5 <= level < 1:
        raise ValidationError("service_level", level, "expected at least 0.5 and below 1")
    return statistics.NormalDist().inv_cdf(level)


def _sigma(y: Sequence[float], fitted: Sequence[float | None]) -> float:
    errors = [a - f for a, f in zip(y, fitted, strict=True) if f is not None]
    return math.sqrt(statistics.fmean(e * e for e in errors)) if errors else 0.0


def _check(y: Sequence[float], horizon: int, minimum: int = 1) -> list[float]:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ValidationError("horizon", horizon, "expected a whole number of periods >= 1")
    if len(y) < minimum:
        raise ValidationError("series", len(y), f"needs at least {minimum} periods")
    values = [float(v) for v in y]
    if any(v < 0 or math.isnan(v) for v in values):
        raise ValidationError("series", list(y), "demand must be numbers >= 0")
    return values


def naive(y: Sequence[float], horizon: int) -> Forecast:
    """The last value, for every future period."""
    v = _check(y, horizon)
    fitted = (None, *v[:-1])
    return Forecast("naive", (v[-1],) * horizon, fitted, _sigma(v, fitted))


def seasonal_naive(y: Sequence[float], horizon: int, m: int = 7) -> Forecast:
    """The value one season (``m`` periods) ago."""
    v = _check(y, horizon, m)
    fitted = (*([None] * m), *v[:-m])
    values = tuple(v[len(v) - m + (h % m)] for h in range(horizon))
    return Forecast("seasonal_naive", values, fitted, _sigma(v, fitted), {"m": m})


def moving_average(y: Sequence[float], horizon: int, window: int = 7) -> Forecast:
    """The mean of the last ``window`` periods."""
    v = _check(y, horizon)
    n = min(window, len(v))
    fitted = tuple(None if t < n else statistics.fmean(v[t - n : t]) for t in range(len(v)))
    level = statistics.fmean(v[-n:])
    return Forecast("moving_average", (level,) * horizon, fitted, _sigma(v, fitted),
                    {"window": n})  # fmt: skip


def _ses_fit(v: Sequence[float], alpha: float, initial: float) -> tuple[float, list[float]]:
    level, fitted = initial, []
    for x in v:
        fitted.append(level)
        level = alpha * x + (1 - alpha) * level
    return level, fitted


def ses(y: Sequence[float], horizon: int, alpha: float | None = None,
        initial: float | None = None) -> Forecast:  # fmt: skip
    """Simple exponential smoothing, ``l_t = alpha y_t + (1 - alpha) l_(t-1)``.

    ``alpha`` is chosen from a grid by in-sample squared error when not given; the first
    level is ``initial`` (default: the first value).
    """
    v = _check(y, horizon)
    start = v[0] if initial is None else float(initial)
    alphas = _GRID if alpha is None else (alpha,)
    best = min(alphas, key=lambda a: _sse(v, _ses_fit(v, a, start)[1]))
    level, fitted = _ses_fit(v, best, start)
    return Forecast("ses", (level,) * horizon, tuple(fitted), _sigma(v, fitted),
                    {"alpha": best})  # fmt: skip


def _sse(v: Sequence[float], fitted: Sequence[float | None]) -> float:
    return sum((a - f) ** 2 for a, f in zip(v, fitted, strict=True) if f is not None)


def _hw_fit(v: Sequence[float], m: int, a: float, b: float,
            g: float) -> tuple[float, float, list[float], list[float | None]]:  # fmt: skip
    level = statistics.fmean(v[:m])
    trend = (statistics.fmean(v[m : 2 * m]) - level) / m if len(v) >= 2 * m else 0.0
    fitted: list[float | None] = [None] * m
    level_t, trend_t = level + (m - 1) / 2 * trend, trend  # level at the end of season 1
    season = [x - (level + (i - (m - 1) / 2) * trend) for i, x in enumerate(v[:m])]
    for t in range(m, len(v)):
        s = season[t % m]
        fitted.append(level_t + trend_t + s)
        new_level = a * (v[t] - s) + (1 - a) * (level_t + trend_t)
        trend_t = b * (new_level - level_t) + (1 - b) * trend_t
        season[t % m] = g * (v[t] - new_level) + (1 - g) * s
        level_t = new_level
    return level_t, trend_t, season, fitted


def holt_winters(y: Sequence[float], horizon: int, m: int = 7, *,
                 alpha: float | None = None, beta: float | None = None,
                 gamma: float | None = None) -> Forecast:  # fmt: skip
    """Additive Holt-Winters: level, trend and a season of ``m`` periods.

    Starts from the first season's mean (level), the change between the first two
    seasons' means (trend) and the first season's deviations; parameters left out are
    chosen from a small grid by in-sample squared error. Needs two seasons of history.
    """
    v = _check(y, horizon, 2 * m)
    grid = (0.1, 0.3, 0.5, 0.8)
    combos = [(a, b, g) for a in ((alpha,) if alpha is not None else grid)
              for b in ((beta,) if beta is not None else (0.0, 0.1, 0.3))
              for g in ((gamma,) if gamma is not None else grid)]  # fmt: skip
    best = min(combos, key=lambda p: _sse(v, _hw_fit(v, m, *p)[3]))
    level, trend, season, fitted = _hw_fit(v, m, *best)
    n = len(v)
    values = tuple(max(0.0, level + h * trend + season[(n + h - 1) % m])
                   for h in range(1, horizon + 1))  # fmt: skip
    return Forecast("holt_winters", values, tuple(fitted), _sigma(v, fitted),
                    {"m": m, "alpha": best[0], "beta": best[1], "gamma": best[2]})  # fmt: skip


def croston(y: Sequence[float], horizon: int, alpha: float = 0.1, *,
            variant: str = "classic", beta: float | None = None) -> Forecast:  # fmt: skip
    """Croston's method for intermittent demand (``variant`` classic, sba or tsb).

    ``z`` and ``p`` start at the history's mean demand size and mean interval. Classic
    and SBA update only in periods with demand: ``z <- a y + (1 - a) z`` and
    ``p <- a q + (1 - a) p`` (``q``: periods since the last demand), forecast ``z / p``
    (SBA: times ``1 - a/2``). TSB updates ``pi <- b [y > 0] + (1 - b) pi`` every period
    (``b`` defaults to ``alpha``) and ``z`` on demand, forecast ``pi * z``.
    """
    if variant not in ("classic", "sba", "tsb"):
        raise ValidationError("variant", variant, "expected 'classic', 'sba' or 'tsb'")
    v = _check(y, horizon)
    first = next((i for i, x in enumerate(v) if x > 0), None)
    if first is None:
        return Forecast(f"croston_{variant}", (0.0,) * horizon, (None,) * len(v), 0.0,
                        {"alpha": alpha})  # fmt: skip
    b = alpha if beta is None else beta
    # start from the means of the history (tsintermittent's init="mean"), so a series
    # that happens to open with demand does not start with an interval of 1
    at = [i for i, x in enumerate(v) if x > 0]
    gaps = [at[0] + 1] + [j - i for i, j in itertools.pairwise(at)]
    z, p = statistics.fmean(v[i] for i in at), statistics.fmean(gaps)
    pi, q = len(at) / len(v), 1
    factor = 1 - alpha / 2 if variant == "sba" else 1.0
    fitted: list[float | None] = [None] * (first + 1)
    for x in v[first + 1 :]:
        fitted.append(pi * z if variant == "tsb" else factor * z / p)
        if variant == "tsb":
            pi = b * (1.0 if x > 0 else 0.0) + (1 - b) * pi
            if x > 0:
                z = alpha * x + (1 - alpha) * z
            continue
        if x > 0:
            z = alpha * x + (1 - alpha) * z
            p = alpha * q + (1 - alpha) * p
            q = 1
        else:
            q += 1
    value = pi * z if variant == "tsb" else factor * z / p
    return Forecast(f"croston_{variant}", (value,) * horizon, tuple(fitted),
                    _sigma(v, fitted), {"alpha": alpha})  # fmt: skip


Method = Callable[[Sequence[float], int], Forecast]
"""A forecasting method: ``method(series, horizon) -> Forecast``."""

#: The methods [`choose`][] compares, by name (seasonal ones use a weekly season).
METHODS: Mapping[str, Method] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "moving_average": moving_average,
    "ses": ses,
    "holt_winters": holt_winters,
    "croston": croston,
    "croston_sba": lambda y, h: croston(y, h, variant="sba"),
    "croston_tsb": lambda y, h: croston(y, h, variant="tsb"),
}


@attrs.frozen
class Accuracy:
    """How a method did on a holdout: errors as ``forecast - actual``.

    ``mape`` is ``None`` when an actual is zero (it is undefined there); ``smape``
    counts a period where both are zero as no error; ``mase`` is ``None`` when the
    in-sample naive forecast makes no error at all.
    """

    method: str
    mae: float
    rmse: float
    bias: float
    mape: float | None
    smape: float
    mase: float | None
    forecast: Forecast = attrs.field(repr=False)


def backtest(
    y: Sequence[float],
    method: Method | str,
    holdout: int = 14,
    *,
    horizon: int = 1,
    season: int = 1,
) -> Accuracy:
    """Rolling-origin backtest over the last ``holdout`` periods.

    From each origin ``t`` (every ``horizon`` periods through the holdout) the method is
    fitted on ``y[:t]`` and forecasts the next ``horizon`` periods; the errors of every
    origin are pooled. MASE scales the MAE by the MAE of the naive forecast ``season``
    periods back (1: the plain naive; 7 for daily data with a weekly season) over the
    history before the holdout.
    """
    fn = _method(method)
    v = _check(y, horizon, holdout + 2)
    if isinstance(holdout, bool) or not isinstance(holdout, int) or holdout < horizon:
        raise ValidationError("holdout", holdout, f"expected at least the horizon, {horizon}")
    start = len(v) - holdout
    predicted: list[float] = []
    actual: list[float] = []
    last: Forecast | None = None
    for t in range(start, len(v) - horizon + 1, horizon):
        last = fn(v[:t], horizon)
        predicted.extend(last.values)
        actual.extend(v[t : t + horizon])
    assert last is not None
    errors = [p - a for p, a in zip(predicted, actual, strict=True)]
    mae = statistics.fmean(abs(e) for e in errors)
    train = v[:start]
    scale_pairs = [abs(train[t] - train[t - season]) for t in range(season, len(train))]
    scale = statistics.fmean(scale_pairs) if scale_pairs else 0.0
    mape = (
        None
        if any(a == 0 for a in actual)
        else 100 * statistics.fmean(abs(e) / a for e, a in zip(errors, actual, strict=True))
    )
    smape = 100 * statistics.fmean(
        0.0 if p == a == 0 else 2 * abs(p - a) / (abs(p) + abs(a))
        for p, a in zip(predicted, actual, strict=True))  # fmt: skip
    return Accuracy(
        last.method, mae, math.sqrt(statistics.fmean(e * e for e in errors)),
        statistics.fmean(errors), mape, smape, mae / scale if scale else None, last,
    )  # fmt: skip


def _method(method: Method | str) -> Method:
    if callable(method):
        return method
    found = METHODS.get(method)
    if found is None:
        raise ValidationError("method", method, f"expected one of {', '.join(METHODS)}")
    return found


def choose(
    y: Sequence[float],
    horizon: int,
    *,
    holdout: int = 14,
    methods: Sequence[str] | None = None,
) -> tuple[Forecast, list[Accuracy]]:
    """Backtest every method that has enough history, refit the best on all of ``y``.

    The best has the lowest MASE (then MAE) on the holdout. Returns its forecast for
    ``horizon`` periods and every method's accuracy, best first (``method`` is the name
    in `METHODS`).
    """
    names = list(methods) if methods is not None else list(METHODS)
    v = _check(y, horizon)
    results: list[Accuracy] = []
    for name in names:
        fn = _method(name)
        try:
            results.append(attrs.evolve(backtest(v, fn, holdout), method=name))
        except ValidationError:
            continue  # not enough history for this method
    if not results:
        return naive(v, horizon), []
    results.sort(key=lambda r: (r.mase if r.mase is not None else math.inf, r.mae))
    return _method(results[0].method)(v, horizon), results


def classify(y: Sequence[float]) -> str:
    """The Syntetos-Boylan class: ``smooth``, ``erratic``, ``intermittent`` or ``lumpy``.

    ADI (average interval between demands) cut at 1.32, CV^2 of the non-zero sizes at
    0.49; a series with no demand is ``"none"``.
    """
    v = [float(x) for x in y]
    sizes = [x for x in v if x > 0]
    if not sizes:
        return "none"
    adi = len(v) / len(sizes)
    mean = statistics.fmean(sizes)
    cv2 = (statistics.pstdev(sizes) / mean) ** 2 if len(sizes) > 1 else 0.0
    if adi < 1.32:
        return "smooth" if cv2 < 0.49 else "erratic"
    return "intermittent" if cv2 < 0.49 else "lumpy"
