"""Anomaly checks on constructed series where the answer is known, and on stable ones.

The series are seeded random draws around a known weekly pattern, so each test knows
what is normal; the stable-series tests run many seeds and must raise no alarm at all.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from omskit.reporting.anomalies import check_above, check_below, check_rate_drop, z_of

DAY = dt.date(2026, 11, 30)
WEEK = (40, 44, 42, 46, 50, 80, 76)  # quieter weekdays, a busy weekend
Z = z_of(0.99)
ALPHA = 0.005  # one side of a 99 % interval


def weekly(seed: int, days: int = 56) -> list[float]:
    """Orders per day: the weekly pattern plus Poisson-like noise (sd = sqrt(mean))."""
    rng = random.Random(seed)
    return [max(0.0, round(rng.gauss(WEEK[t % 7], WEEK[t % 7] ** 0.5))) for t in range(days)]


def test_z_is_the_two_sided_quantile() -> None:
    assert z_of(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_of(0.99) == pytest.approx(2.575829, abs=1e-6)


def test_a_collapse_in_orders_is_caught_with_the_figures() -> None:
    history = weekly(0)
    # day 56 is the first day of the pattern (56 % 7 == 0): about 40 orders expected
    found = check_below(history, 10, z=Z, dimension="channel", key="web", day=DAY,
                        what="orders")  # fmt: skip
    assert found is not None
    assert found.kind == "orders_below_forecast"
    assert found.measured == 10
    assert 25 < found.expected < 60  # the method's guess at 40, from noisy history
    assert found.low > 10
    assert found.low < found.expected < found.high
    assert found.id == "anomaly:orders_below_forecast:web:2026-11-30"
    assert "channel web had 10 orders on 2026-11-30" in found.explanation
    assert f"expected {found.expected:.1f}" in found.explanation


def test_most_collapses_to_a_quarter_are_caught() -> None:
    """10 orders where 40 are normal (noise sd 6.3): caught on at least 90 % of seeds."""
    caught = sum(
        check_below(weekly(seed), 10, z=Z, dimension="channel", key="web", day=DAY,
                    what="orders") is not None
        for seed in range(40)
    )  # fmt: skip
    assert caught >= 36


@pytest.mark.parametrize("seed", range(5))
def test_a_spike_in_a_skus_sales_is_caught(seed: int) -> None:
    history = weekly(seed)
    found = check_above(history, 160, z=Z, dimension="SKU", key="TEE", day=DAY,
                        what="units")  # fmt: skip
    assert found is not None
    assert found.kind == "sku_above_forecast"
    assert found.high < 160
    assert "SKU TEE sold 160 units" in found.explanation
    assert "times the forecast" in found.explanation


def test_no_false_alarm_on_a_stable_series() -> None:
    """200 seeds, each day judged as it would be on its own day: no alarm at all.

    Each series' next day is a fresh draw from the same pattern; at z = 2.58 a properly
    calibrated interval would be crossed by chance about 1 % of the time per side, so
    the floor sqrt(forecast) and the backtested method must keep it well under that.
    """
    alarms = 0
    for seed in range(200):
        series = weekly(seed, 57)
        history, today = series[:-1], series[-1]
        for check in (check_below, check_above):
            if check(history, today, z=Z, dimension="channel", key="web", day=DAY,
                     what="orders") is not None:  # fmt: skip
                alarms += 1
    assert alarms <= 2  # at most 0.5 % of 400 judgements


def test_flat_history_needs_more_than_a_wobble() -> None:
    flat = [10.0] * 56  # in-sample sigma 0: the Poisson floor sqrt(10) keeps it sane
    assert check_below(flat, 7, z=Z, dimension="channel", key="web", day=DAY,
                       what="orders") is None  # fmt: skip
    assert check_above(flat, 14, z=Z, dimension="SKU", key="TEE", day=DAY,
                       what="units") is None  # fmt: skip
    assert check_above(flat, 25, z=Z, dimension="SKU", key="TEE", day=DAY,
                       what="units") is not None  # fmt: skip


def test_a_series_with_too_little_history_is_not_judged() -> None:
    sparse = [0.0] * 50 + [3.0] * 6  # 6 days with demand < 7
    assert check_above(sparse, 100, z=Z, dimension="SKU", key="NEW", day=DAY,
                       what="units") is None  # fmt: skip


def test_an_on_time_rate_that_falls_is_caught_and_noise_is_not() -> None:
    # baseline 190 of 200 = 95 %; recent 35 of 50 = 70 %
    found = check_rate_drop((35, 50), (190, 200), alpha=ALPHA, dimension="location", key="BER",
                            day=DAY, window=7, baseline_days=28)  # fmt: skip
    assert found is not None
    assert found.kind == "on_time_rate_falling"
    assert found.measured == 0.7
    assert found.expected == 0.95
    assert 0.7 < found.low < 0.95
    assert "35 of 50 on time" in found.explanation
    assert "95.0% (190 of 200)" in found.explanation
    # 44 of 50 = 88 %: seven points down, but 50 shipments can do that by chance
    assert check_rate_drop((44, 50), (190, 200), alpha=ALPHA, dimension="location", key="BER",
                           day=DAY, window=7, baseline_days=28) is None  # fmt: skip
    # too few shipments to say anything
    assert check_rate_drop((2, 5), (190, 200), alpha=ALPHA, dimension="location", key="BER",
                           day=DAY, window=7, baseline_days=28) is None  # fmt: skip


def test_no_false_alarm_on_a_stable_on_time_rate() -> None:
    alarms = 0
    for seed in range(300):
        rng = random.Random(seed)
        base = sum(rng.random() < 0.93 for _ in range(200))
        recent = sum(rng.random() < 0.93 for _ in range(50))
        if check_rate_drop((recent, 50), (base, 200), alpha=ALPHA, dimension="location", key="X",
                           day=DAY, window=7, baseline_days=28) is not None:  # fmt: skip
            alarms += 1
    assert alarms <= 3  # at most 1 % of 300
