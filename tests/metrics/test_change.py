"""Paired change, its interval, effect size, Wilcoxon test and detectable change, each
checked against a computation that is not scipy's: R output published for a known
dataset, hand arithmetic with the formula written here, and statsmodels."""
import math

import pytest
from statsmodels.stats.power import TTestPower
from statsmodels.stats.weightstats import DescrStatsW

from outreach.metrics.change import detectable_effect, difference_in_change, paired_change, power, signed_rank

# R's `sleep` dataset (Student 1908): extra hours of sleep of ten people on two drugs.
GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_paired_t_interval_matches_r_published_output_on_sleep():
    """R, as published in "R For Dummies" (Meys & de Vries, "How to Compare Paired Data with R"):

        > t.test(extra ~ group, data=sleep, paired=TRUE)
        Paired t-test
        data: extra by group
        t = -4.0621, df = 9, p-value = 0.002833
        95 percent confidence interval:
        -2.4598858 -0.7001142
        sample estimates:
        mean of the differences
        -1.58

    R's difference is group 1 - group 2, so group 2 is "before" and group 1 "after"."""
    got = paired_change(GROUP_2, GROUP_1, min_pairs=5, ordinal=False)
    assert got.pairs == 10 and got.enough
    assert got.mean_change == pytest.approx(-1.58, abs=1e-12)
    assert got.ci_low == pytest.approx(-2.4598858, abs=1e-7)
    assert got.ci_high == pytest.approx(-0.7001142, abs=1e-7)
    # R's t statistic is mean ÷ (s / √n); with d_z = mean ÷ s it is d_z × √10.
    assert got.effect_size * math.sqrt(10) == pytest.approx(-4.0621, abs=1e-4)


def test_effect_size_is_cohens_dz_worked_by_hand():
    # Changes (group 1 - group 2): -1.2 -2.4 -1.3 -1.3 0 -1.0 -1.8 -0.8 -4.6 -1.4, mean -1.58.
    # Deviations from the mean, squared: 0.1444 0.6724 0.0784 0.0784 2.4964 0.3364 0.0484 0.6084
    # 9.1204 0.0324, sum 13.616; s² = 13.616 / 9 = 1.512888…, s = 1.229995…
    # d_z = mean ÷ s = -1.58 / 1.229995 = -1.284558…
    got = paired_change(GROUP_2, GROUP_1, min_pairs=5, ordinal=False)
    assert got.sd_change == pytest.approx(math.sqrt(13.616 / 9), abs=1e-12)
    assert got.effect_size == pytest.approx(-1.58 / math.sqrt(13.616 / 9), abs=1e-12)
    assert (got.up, got.same, got.down) == (0, 1, 9)


def test_wilcoxon_signed_rank_worked_by_hand_with_ties_and_a_zero():
    """Zero dropped: m = 9 changes, all falls. |changes| ranked: 0.8→1, 1.0→2, 1.2→3,
    1.3 and 1.3→4.5 each (one tie of 2), 1.4→6, 1.8→7, 2.4→8, 4.6→9. W+ = 0.
    Mean m(m+1)/4 = 22.5; variance m(m+1)(2m+1)/24 - (2³-2)/48 = 71.25 - 0.125 = 71.125.
    z = (0 - 22.5 + 0.5) / √71.125 (continuity correction towards the mean);
    p = 2 Φ(z) = erfc(|z| / √2). (R's wilcox.test(paired=TRUE) gives the same: V = 0,
    p-value = 0.009091.)"""
    got = signed_rank([g1 - g2 for g1, g2 in zip(GROUP_1, GROUP_2)])
    z = (0 - 22.5 + 0.5) / math.sqrt(71.125)
    assert (got.statistic, got.nonzero, got.method) == (0.0, 9, "normal approximation")
    assert got.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)
    assert got.p_value == pytest.approx(0.009091, abs=5e-7)


def test_wilcoxon_exact_without_ties_worked_by_hand():
    # Changes +1, +2, +3, -4 (no ties, no zeros): W+ = 1 + 2 + 3 = 6 of a possible 10.
    # Under the null each of the 2⁴ = 16 sign patterns is equally likely, and W+ is the
    # sum of the ranks given a +. The 16 subset sums of {1, 2, 3, 4} are
    # 0 1 2 3 4 3 4 5 5 6 7 6 7 8 9 10; seven are 6 or more, so P(W+ ≥ 6) = 7/16 and the
    # two-sided p = 2 × 7/16 = 0.875.
    got = signed_rank([1, 2, 3, -4])
    assert (got.statistic, got.method) == (6.0, "exact")
    assert got.p_value == pytest.approx(0.875)


def test_ordinal_answers_on_a_1_to_5_scale_against_statsmodels():
    before = [2, 3, 3, 1, 4, 2, 3, 5, 2, 3, 4, 1, 2, 3, 3, 2, 4, 3, 2, 3]
    after = [3, 3, 4, 2, 4, 3, 4, 5, 2, 4, 5, 2, 2, 3, 4, 3, 4, 4, 3, 3]
    got = paired_change(before, after, min_pairs=20, ordinal=True)
    changes = DescrStatsW([a - b for a, b in zip(after, before)])
    low, high = changes.tconfint_mean(alpha=0.05)
    assert got.enough and got.pairs == 20
    assert (got.ci_low, got.ci_high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert got.effect_size == pytest.approx(changes.mean / changes.std_mean / math.sqrt(20), abs=1e-12)
    assert (got.up, got.same, got.down) == (12, 8, 0)
    assert got.wilcoxon.nonzero == 12 and got.wilcoxon.method == "normal approximation"


@pytest.mark.parametrize("pairs", [2, 5, 10, 20, 34, 40, 200])
def test_smallest_detectable_change_matches_statsmodels(pairs):
    expected = TTestPower().solve_power(nobs=pairs, alpha=0.05, power=0.8, alternative="two-sided")
    # statsmodels solves to about six digits; ours to ten (the power check below).
    assert detectable_effect(pairs) == pytest.approx(expected, rel=1e-5)
    assert power(detectable_effect(pairs), pairs) == pytest.approx(0.8, abs=1e-9)


def test_with_34_pairs_only_about_half_a_standard_deviation_shows():
    assert round(detectable_effect(34), 2) == 0.5  # 0.4950…, as the example says 0.49


def test_every_pair_unchanged():
    got = paired_change([3] * 25, [3] * 25, min_pairs=20, ordinal=True)
    assert got.enough and got.mean_change == 0 and got.sd_change == 0
    # No spread: no interval, no effect size, nobody to rank.
    assert (got.ci_low, got.ci_high, got.effect_size, got.wilcoxon) == (None, None, None, None)
    assert (got.up, got.same, got.down) == (0, 25, 0)
    assert got.detectable == pytest.approx(TTestPower().solve_power(nobs=25, alpha=0.05, power=0.8), rel=1e-5)


def test_everyone_changed_by_the_same_amount():
    got = paired_change([2] * 21, [3] * 21, min_pairs=20, ordinal=True)
    assert got.mean_change == 1 and (got.ci_low, got.effect_size) == (None, None)
    # The signed ranks are all tied and all positive: W+ = 21 × 11 = 231, the maximum.
    assert got.wilcoxon.statistic == 231 and got.wilcoxon.p_value < 0.001


def test_one_pair():
    got = paired_change([2], [4], min_pairs=20, ordinal=True)
    assert (got.pairs, got.enough, got.mean_change, got.up) == (1, False, 2.0, 1)
    assert (got.sd_change, got.ci_low, got.effect_size, got.detectable) == (None, None, None, None)
    # One change, exactly: its sign is + or - with probability ½ each; two-sided p = 1.
    assert got.wilcoxon.p_value == pytest.approx(1.0)


def test_fewer_than_the_minimum_is_worked_out_but_not_a_finding():
    got = paired_change([1, 2, 3, 2, 1], [2, 3, 3, 4, 2], min_pairs=20, ordinal=True)
    assert got.pairs == 5 and not got.enough
    assert got.ci_low is not None and got.detectable == pytest.approx(
        TTestPower().solve_power(nobs=5, alpha=0.05, power=0.8), rel=1e-5)


def test_no_pairs():
    got = paired_change([], [], min_pairs=20, ordinal=True)
    assert (got.pairs, got.enough, got.mean_change, got.wilcoxon, got.detectable) == (0, False, None, None, None)


def test_instrument_scores_with_two_decimals_tie_as_on_paper():
    # SWEMWBS metric scores: 24.11 - 21.54 and 23.21 - 20.64 are both 2.57.
    got = signed_rank([24.11 - 21.54, 23.21 - 20.64, -1.0])
    assert got.method == "normal approximation"  # the two 2.57s tie, so no exact p


# ---------------------------------------------------------------- served beside comparison

def test_difference_of_mean_changes_with_welchs_interval_worked_by_hand():
    """Served group: starts 1 2 3 3, ends 3 3 4 3, changes +2 +1 +1 0, mean 1.
    Comparison group: starts 2 3 4, ends 3 3 3, changes +1 0 -1, mean 0.
    Difference = 1 - 0 = 1.
    Spreads (n - 1 divisor): served deviations +1 0 0 -1, s₁² = 2/3; comparison +1 0 -1,
    s₂² = 2/2 = 1. Standard error² = s₁²/n₁ + s₂²/n₂ = (2/3)/4 + 1/3 = 1/6 + 1/3 = 1/2.
    Welch–Satterthwaite ν = (1/2)² ÷ [(1/6)²/3 + (1/3)²/2] = (1/4) ÷ (1/108 + 6/108) = 27/7.
    t(0.975, 27/7) = 2.8174737… (the t quantile: the one table look-up), so the interval is
    1 ± 2.8174737 × √(1/2) = -0.99225 to +2.99225."""
    got = difference_in_change([1, 2, 3, 3], [3, 3, 4, 3], [2, 3, 4], [3, 3, 3], min_pairs=3, ordinal=True)
    assert (got.served.pairs, got.comparison.pairs, got.enough) == (4, 3, True)
    assert (got.served.mean_change, got.comparison.mean_change) == (1.0, 0.0)
    assert got.difference == pytest.approx(1.0)
    assert got.df == pytest.approx(27 / 7, abs=1e-12)
    half_width = 2.8174737532 * math.sqrt(1 / 2)
    assert got.ci_low == pytest.approx(1 - half_width, abs=1e-9)
    assert got.ci_high == pytest.approx(1 + half_width, abs=1e-9)
    assert (round(got.ci_low, 5), round(got.ci_high, 5)) == (-0.99225, 2.99225)
    # And statsmodels, a second implementation, on the per-person changes:
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
    low, high = CompareMeans(DescrStatsW([2, 1, 1, 0]), DescrStatsW([1, 0, -1])).tconfint_diff(usevar="unequal")
    assert (got.ci_low, got.ci_high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))


def test_difference_needs_the_minimum_pairs_in_each_group():
    got = difference_in_change([1, 2, 3, 3], [3, 3, 4, 3], [2, 3, 4], [3, 3, 3], min_pairs=4, ordinal=True)
    # Served has 4 (enough), comparison 3 (not): worked out, but not a finding.
    assert got.served.enough and not got.comparison.enough and not got.enough
    assert got.difference == pytest.approx(1.0) and got.ci_low is not None


def test_difference_without_an_interval():
    # One pair in the comparison group: its spread is unknown, so no interval.
    one = difference_in_change([1, 2, 3], [2, 3, 5], [2], [3], min_pairs=1, ordinal=True)
    assert one.difference == pytest.approx(4 / 3 - 1) and (one.ci_low, one.ci_high, one.df) == (None, None, None)
    # Nobody in either group varied: no spread at all, no interval.
    flat = difference_in_change([1, 1], [2, 2], [3, 3], [3, 3], min_pairs=1, ordinal=True)
    assert flat.difference == 1.0 and flat.ci_low is None
    # No pairs in the comparison group: nothing to compare.
    none = difference_in_change([1, 2], [2, 3], [], [], min_pairs=1, ordinal=True)
    assert (none.difference, none.enough, none.comparison.pairs) == (None, False, 0)


def test_difference_when_only_one_group_varies_uses_the_others_spread_alone():
    """Served changes +1 +1 +1 (no spread), comparison +2 0 -2 (s² = 4). SE² = 0 + 4/3;
    ν = (4/3)² ÷ [(4/3)²/2] = 2; interval 1 ± t(0.975, 2) × √(4/3) = 1 ± 4.3026527 × 1.1547005."""
    got = difference_in_change([1, 2, 3], [2, 3, 4], [3, 3, 3], [5, 3, 1], min_pairs=3, ordinal=True)
    assert got.difference == pytest.approx(1.0) and got.df == pytest.approx(2.0)
    assert got.ci_high == pytest.approx(1 + 4.30265273 * math.sqrt(4 / 3), abs=1e-7)
