"""Forecasting methods: known answers, and each method against the naive baseline."""

from __future__ import annotations

import math
import random

import pytest

from omskit import ValidationError
from omskit.reporting.forecast import (
    backtest,
    choose,
    classify,
    croston,
    holt_winters,
    moving_average,
    naive,
    seasonal_naive,
    ses,
)

#: Saudi Arabian oil production 1996-2013 (Hyndman & Athanasopoulos, "Forecasting:
#: principles and practice", 2nd ed., section 7.1, ``oildata``). The book's SES fit has
#: alpha = 0.8339 and l0 = 446.59, and forecasts 542.7 for 2014.
OIL = [445.36, 453.20, 454.41, 422.38, 456.04, 440.39, 425.19, 486.21, 500.43, 521.28,
       508.95, 488.89, 509.87, 456.72, 473.82, 525.95, 549.83, 542.34]  # fmt: skip


def test_ses_reproduces_the_textbook_oil_forecast() -> None:
    f = ses(OIL, 5, alpha=0.8339, initial=446.5868)
    assert f.values == pytest.approx((542.68,) * 5, abs=0.01)


def test_ses_by_hand() -> None:
    """alpha 0.5 on 10, 12, 14: levels 10 -> 11 -> 12.5; fitted 10, 10, 11."""
    f = ses([10, 12, 14], 2, alpha=0.5)
    assert f.values == (12.5, 12.5)
    assert f.fitted == (10.0, 10.0, 11.0)
    assert f.sigma == pytest.approx(math.sqrt((0 + 4 + 9) / 3))


def test_a_moving_average_is_the_mean_of_the_window() -> None:
    f = moving_average([1, 2, 3, 4, 5, 6], 3, window=3)
    assert f.values == (5.0, 5.0, 5.0)
    assert f.fitted[3] == 2.0


def test_croston_on_a_regular_intermittent_series() -> None:
    """10 units every 4th period: size 10, interval 4 -> 2.5 a period; SBA x (1 - 0.1/2)."""
    y = [0, 0, 0, 10] * 6
    assert croston(y, 1).values == (pytest.approx(2.5),)
    assert croston(y, 1, variant="sba").values == (pytest.approx(2.375),)


def test_tsb_decays_for_a_dying_item_where_croston_does_not() -> None:
    y = [0, 0, 0, 10] * 4 + [0] * 20
    assert croston(y, 1).values[0] == pytest.approx(2.5)
    tsb = croston(y, 1, variant="tsb").values[0]
    assert tsb < 0.5 * croston(y[:16], 1, variant="tsb").values[0]


def test_holt_winters_forecasts_an_exact_trend_and_season_exactly() -> None:
    """y = 100 + 2t + season; the naive and the seasonal naive forecasts both lag."""
    season = [10, -5, 0, -5, 3, -3, 0]
    y = [100 + 2 * t + season[t % 7] for t in range(42)]
    f = holt_winters(y, 7, 7)
    expected = [100 + 2 * t + season[t % 7] for t in range(42, 49)]
    assert f.values == pytest.approx(expected)
    hw = backtest(y, lambda s, h: holt_winters(s, h, 7), 14, horizon=7, season=7)
    base = backtest(y, lambda s, h: seasonal_naive(s, h, 7), 14, horizon=7, season=7)
    assert hw.mae == pytest.approx(0.0, abs=1e-9)
    assert base.mae == pytest.approx(14.0)  # one week of trend behind: 7 x 2


def noisy(seed: int, n: int, level: float, season: list[float] | None = None) -> list[float]:
    rng = random.Random(seed)
    s = season or [0.0]
    return [max(0.0, level + s[t % len(s)] + rng.gauss(0, 4)) for t in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_moving_average_and_ses_beat_naive_on_a_noisy_level(seed: int) -> None:
    y = noisy(seed, 84, 40)
    base = backtest(y, naive, 28).mae
    assert backtest(y, lambda s, h: moving_average(s, h, 14), 28).mae < base
    assert backtest(y, ses, 28).mae < base


@pytest.mark.parametrize("seed", range(10))
def test_holt_winters_beats_naive_on_a_noisy_weekly_season(seed: int) -> None:
    y = noisy(seed, 84, 40, [25, -10, -10, -5, 0, 5, -5])
    hw = backtest(y, holt_winters, 28, season=7)
    assert hw.mae < backtest(y, naive, 28, season=7).mae
    assert hw.mae < backtest(y, seasonal_naive, 28, season=7).mae


@pytest.mark.parametrize("seed", range(5))
def test_croston_beats_naive_on_intermittent_demand(seed: int) -> None:
    """By RMSE: on intermittent demand the MAE rewards forecasting zero, which is why
    Croston aims at the mean demand per period and is judged by squared error."""
    rng = random.Random(seed)
    y = [float(rng.randint(3, 7)) if rng.random() < 0.25 else 0.0 for _ in range(120)]
    base = backtest(y, naive, 30)
    for variant in ("classic", "sba", "tsb"):
        acc = backtest(y, lambda s, h, v=variant: croston(s, h, variant=v), 30)
        assert acc.rmse < base.rmse


def test_backtest_measures_by_hand() -> None:
    """Holdout 9, 10 from a 2-period origin: 1..8 forecasts 8, 8 (errors -1, -2); naive
    in-sample MAE over 1..8 is 1."""
    acc = backtest([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], naive, 2, horizon=2)
    assert acc.mae == 1.5
    assert acc.bias == -1.5
    assert acc.rmse == pytest.approx(math.sqrt(2.5))
    assert acc.mase == 1.5
    assert acc.mape == pytest.approx(100 * (1 / 9 + 2 / 10) / 2)
    assert acc.smape == pytest.approx(100 * (2 / 17 + 4 / 18) / 2)
    rolling = backtest([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], naive, 2)  # one step from each
    assert rolling.mae == 1.0


def test_mape_is_left_out_when_an_actual_is_zero() -> None:
    assert backtest([1, 0, 2, 0, 1, 0], naive, 2).mape is None


def test_choose_picks_the_seasonal_method_for_a_seasonal_series() -> None:
    y = noisy(1, 84, 40, [25, -10, -10, -5, 0, 5, -5])
    best, ranking = choose(y, 7, holdout=28)
    assert ranking[0].method in ("holt_winters", "seasonal_naive")
    assert best.method == ranking[0].method
    assert len(best.values) == 7


def test_syntetos_boylan_classes() -> None:
    assert classify([5, 6, 5, 6, 5]) == "smooth"
    assert classify([1, 20, 2, 30, 1]) == "erratic"
    assert classify([0, 0, 5, 0, 0, 5, 0, 5]) == "intermittent"
    assert classify([0, 0, 1, 0, 0, 30, 0, 2]) == "lumpy"
    assert classify([0, 0]) == "none"


def test_intervals_widen_with_the_horizon_and_stay_above_zero() -> None:
    f = ses(noisy(3, 40, 5), 3)
    (lo1, hi1), (_lo2, hi2), _ = f.interval(0.95)
    assert lo1 >= 0
    assert hi2 - f.values[1] > hi1 - f.values[0]


def test_a_95_percent_interval_is_central_with_z_1_96() -> None:
    """At 0.95 each end leaves 2.5 % outside: value -/+ 1.959964 * sigma at h = 1."""
    f = ses(noisy(3, 40, 60), 3)  # a level far above 0, so no end is floored
    (lo, hi), _, _ = f.interval(0.95)
    assert f.sigma > 0
    assert hi - f.values[0] == pytest.approx(1.959964 * f.sigma, rel=1e-6)
    assert f.values[0] - lo == pytest.approx(1.959964 * f.sigma, rel=1e-6)
    (_lo80, hi80), _, _ = f.interval(0.80)
    assert hi80 - f.values[0] == pytest.approx(1.281552 * f.sigma, rel=1e-6)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: ses([1, 2], 0), "horizon"),
        (lambda: ses([], 1), "series"),
        (lambda: ses([1, -2], 1), "series"),
        (lambda: holt_winters([1] * 10, 1, 7), "series"),
        (lambda: croston([1], 1, variant="fast"), "variant"),
        (lambda: backtest([1] * 20, "prophet"), "method"),
        (lambda: ses([1, 2, 3], 1).interval(1.5), "level"),
        (lambda: ses([1, 2, 3], 1).interval(0), "level"),
    ],
)
def test_bad_arguments_name_the_field(call: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field
