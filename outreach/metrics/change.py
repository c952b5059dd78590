"""Change between two answers of the same young people, with how sure we can be.

Every figure here is defined once, computed with scipy (never by hand), and its
formula is in its docstring. `paired_change` is what the feedback metric reports
for each question and each instrument score; the dashboard prints these
docstrings as the definitions.
"""
import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

CONFIDENCE = 0.95
ALPHA = 0.05
POWER = 0.80
# Differences are rounded before ranking, so that 24.11 - 21.54 and 23.21 - 20.64 tie as
# they do on paper instead of differing in the 15th digit.
DIGITS = 6


@dataclass(frozen=True)
class Wilcoxon:
    statistic: float  # W+, the sum of the ranks of the rises (R's V)
    p_value: float
    nonzero: int      # pairs that changed (zeros are dropped before ranking)
    method: str       # "exact" or "normal approximation"


@dataclass(frozen=True)
class PairedChange:
    pairs: int
    enough: bool                  # pairs >= the minimum: a finding may be stated
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    sd_change: float | None
    ci_low: float | None
    ci_high: float | None
    effect_size: float | None     # Cohen's d_z
    up: int
    same: int
    down: int
    wilcoxon: Wilcoxon | None
    detectable: float | None      # smallest d_z these pairs detect at 80% power

    def share(self, n):
        return n / self.pairs if self.pairs else None


def paired_change(before, after, *, min_pairs: int, ordinal: bool) -> PairedChange:
    """Change from the start answer to the end answer of the same young people, one pair
    each. Mean change = mean of (end - start) over the n pairs. 95% confidence interval
    = mean change ± t(0.975, n - 1) × s ÷ √n, s the standard deviation of the changes
    (n - 1 divisor): the paired t interval. Effect size = Cohen's d_z = mean change ÷ s,
    the mean change in standard deviations of the changes (not d_av or Hedges' g).
    Up / same / down = pairs whose answer rose / stayed / fell. For questions (ordinal
    answers), the Wilcoxon signed-rank test of the changes as below. Below the minimum
    number of pairs (setting, default 20) the page says "too few pairs to say" instead
    of stating a finding. With fewer than two pairs, or when every pair changed by the
    same amount, there is no interval and no effect size. Computed with scipy
    (stats.ttest_rel, stats.wilcoxon)."""
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    if before.shape != after.shape:
        raise ValueError("before and after must pair up")
    n = int(before.size)
    diff = np.round(after - before, DIGITS)
    up, same, down = int((diff > 0).sum()), int((diff == 0).sum()), int((diff < 0).sum())
    if n == 0:
        return PairedChange(0, False, None, None, None, None, None, None, None, 0, 0, 0, None, None)
    mean = float(diff.mean())
    sd = float(diff.std(ddof=1)) if n > 1 else None
    ci_low = ci_high = effect = None
    if sd:  # neither None nor 0
        result = stats.ttest_rel(after, before)
        interval = result.confidence_interval(confidence_level=CONFIDENCE)
        ci_low, ci_high = float(interval.low), float(interval.high)
        effect = mean / sd
    return PairedChange(
        pairs=n, enough=n >= min_pairs, mean_before=float(before.mean()), mean_after=float(after.mean()),
        mean_change=mean, sd_change=sd, ci_low=ci_low, ci_high=ci_high, effect_size=effect,
        up=up, same=same, down=down, wilcoxon=signed_rank(diff) if ordinal else None,
        detectable=detectable_effect(n))


def signed_rank(diff) -> Wilcoxon | None:
    """Wilcoxon signed-rank test of the paired changes, two-sided. Pairs with no change
    are dropped before ranking (Wilcoxon's method, as R's wilcox.test does). The p value
    is exact when the m changes left have no ties and m ≤ 50; otherwise it comes from the
    normal approximation z = (W+ - m(m+1)/4 ± ½) ÷ σ, σ² = m(m+1)(2m+1)/24 - Σ(t³ - t)/48
    over groups of t tied changes, W+ the sum of the ranks of the rises. Not worked out
    when nobody changed."""
    diff = np.round(np.asarray(diff, dtype=float), DIGITS)
    nonzero = diff[diff != 0]
    if nonzero.size == 0:
        return None
    exact = nonzero.size <= 50 and np.unique(np.abs(nonzero)).size == nonzero.size
    result = stats.wilcoxon(nonzero, zero_method="wilcox", correction=not exact,
                            method="exact" if exact else "approx")
    # scipy reports min(W+, W-) for two-sided tests; W+ is what R prints as V.
    w_plus = float(stats.rankdata(np.abs(nonzero))[nonzero > 0].sum())
    return Wilcoxon(statistic=w_plus, p_value=float(result.pvalue), nonzero=int(nonzero.size),
                    method="exact" if exact else "normal approximation")


def power(d: float, n: int, alpha: float = ALPHA) -> float:
    """Power of the two-sided paired t test with n pairs to find a true change of d
    standard deviations: P(|T| > t(1 - α/2, n-1)) where T follows the noncentral t
    distribution with n-1 degrees of freedom and noncentrality d × √n (scipy.stats.nct)."""
    df = n - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    nc = d * math.sqrt(n)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        upper = stats.nct.sf(critical, df, nc)
        # The far tail is negligible for any d worth solving for; scipy returns nan
        # for it at large noncentralities.
        lower = stats.nct.cdf(-critical, df, nc)
    return float(upper + (lower if np.isfinite(lower) else 0.0))


def detectable_effect(n: int, *, alpha: float = ALPHA, target: float = POWER) -> float | None:
    """Smallest change the pairs could detect: the effect size d_z that n pairs would
    find 80% of the time in a two-sided paired t test at the 5% level, i.e. the d
    solving P(|T| > t(0.975, n - 1)) = 0.8 with T noncentral t on n - 1 degrees of
    freedom and noncentrality d × √n (scipy's stats.nct and optimize.brentq). Needs at
    least two pairs."""
    if n < 2:
        return None
    high = 1.0
    while power(high, n, alpha) < target:
        high *= 2
        if high > 1e4:
            return None
    return float(optimize.brentq(lambda d: power(d, n, alpha) - target, 1e-9, high, xtol=1e-10))


@dataclass(frozen=True)
class ChangeDifference:
    """Change in the served group beside change in the comparison group, and the gap."""
    served: PairedChange
    comparison: PairedChange
    enough: bool                  # both groups have at least the minimum pairs: a finding may be stated
    difference: float | None      # served mean change - comparison mean change
    ci_low: float | None
    ci_high: float | None
    df: float | None              # Welch-Satterthwaite degrees of freedom
    p_value: float | None


NOT_RANDOMISED = "Not randomised: the groups may differ in ways that affect the result"


def difference_in_change(served_before, served_after, comparison_before, comparison_after, *, min_pairs: int,
                         ordinal: bool) -> ChangeDifference:
    """Change in the served group beside change in the comparison group: each as in
    "Change from start to end" (its own pairs, mean change and paired interval). The
    difference = mean change of the served group - mean change of the comparison group,
    each change a person's end answer minus their start answer. Its 95% confidence
    interval is Welch's two-sample interval on the per-person changes: difference ±
    t(0.975, ν) × √(s₁²/n₁ + s₂²/n₂), s₁ and s₂ the standard deviations of the changes in
    each group (n - 1 divisor), with the Welch–Satterthwaite degrees of freedom
    ν = (s₁²/n₁ + s₂²/n₂)² ÷ [(s₁²/n₁)²/(n₁ - 1) + (s₂²/n₂)²/(n₂ - 1)] (the groups'
    spreads are not assumed equal). Computed with scipy (stats.ttest_ind, equal_var=False).
    A finding only when each group has at least the minimum number of pairs (setting,
    default 20); with fewer than two pairs in a group, or no spread in either, there is
    no interval. Not randomised: who is in the comparison group (a waiting list, young
    people not yet served) was not decided by chance, so the groups may differ in ways
    that affect the result, and the difference is not on its own the programme's effect."""
    served = paired_change(served_before, served_after, min_pairs=min_pairs, ordinal=ordinal)
    comparison = paired_change(comparison_before, comparison_after, min_pairs=min_pairs, ordinal=ordinal)
    enough = served.enough and comparison.enough
    if not served.pairs or not comparison.pairs:
        return ChangeDifference(served, comparison, enough, None, None, None, None, None)
    difference = served.mean_change - comparison.mean_change
    ci_low = ci_high = df = p = None
    if served.pairs > 1 and comparison.pairs > 1 and (served.sd_change or comparison.sd_change):
        changes_served = np.round(np.asarray(served_after, dtype=float) - np.asarray(served_before, dtype=float),
                                  DIGITS)
        changes_comparison = np.round(np.asarray(comparison_after, dtype=float)
                                      - np.asarray(comparison_before, dtype=float), DIGITS)
        with warnings.catch_warnings():
            # One group whose every change is the same (all +1, common on a 1-5 scale) has a
            # spread of exactly 0; scipy takes identical values for lost precision and warns.
            warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
            result = stats.ttest_ind(changes_served, changes_comparison, equal_var=False)
            interval = result.confidence_interval(confidence_level=CONFIDENCE)
        ci_low, ci_high, df, p = float(interval.low), float(interval.high), float(result.df), float(result.pvalue)
    return ChangeDifference(served, comparison, enough, difference, ci_low, ci_high, df, p)
