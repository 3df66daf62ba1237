"""bench/results.py: a ratio is the median of its alternating rounds, shown with their min–max."""

import pytest

from bench.results import MIN_ROUNDS, Figure, Scenario, render


def test_a_figure_from_rounds_is_the_median_of_each_rounds_ratio():
    figure = Figure.rounds("throughput", "1/s", [80, 65, 78, 71, 83], [100, 100, 100, 100, 100])
    assert (figure.value, figure.baseline) == (78, 100)
    assert figure.ratios == [0.8, 0.65, 0.78, 0.71, 0.83]
    assert figure.ratio == 0.78


def test_a_round_whose_baseline_is_zero_has_no_ratio_and_mismatched_rounds_are_refused():
    assert Figure.rounds("cpu", "ms", [10, 20, 30], [0, 10, 10]).ratios == [2.0, 3.0]
    with pytest.raises(ValueError):
        Figure.rounds("cpu", "ms", [1, 2], [1])


def test_the_report_shows_the_median_with_min_max_and_flags_too_few_rounds():
    rounds = Figure.rounds("throughput", "1/s", [80, 65, 78, 71, 83], [100] * MIN_ROUNDS)
    few = Figure.rounds("p99", "ms", [2, 3], [1, 1])
    single = Figure("old", "ms", 3, 2)
    scenario = Scenario("s", "S", "b", [rounds, few, single], "t", True)
    table = render([scenario])
    assert "| throughput | 1/s | 78.00 | 100.00 | 0.78 (0.65–0.83) |" in table
    assert "| p99 | ms | 2.50 | 1.00 | 2.50 (2.00–3.00), 2 rounds |" in table
    assert "| old | ms | 3.00 | 2.00 | 1.50 (1 round) |" in table
