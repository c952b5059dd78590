"""The funder return's evidence pages (issue 17, point 9): who answered the start and end
surveys, change from start to end with its interval, the comparison group beside the
served group, and how each figure is worked out, each section on a printed page of its own.

Suppressed as the report to share is (metrics/suppression.py): counts from 1 to the
threshold less one show as "<5"; a change is stated only with at least the minimum number
of pairs (setting, default 20) and never from fewer pairs than the threshold; otherwise the
line says "Too few pairs to say". Rows are as wide as the funder return's header (8 cells); long text (notes, definitions) goes
in the second cell, so only one column is wide on the printed page."""
import inspect
import re

from .. import instruments
from ..metrics import REGISTRY, compute_all
from ..metrics.change import NOT_RANDOMISED, detectable_effect, difference_in_change, paired_change, signed_rank
from ..metrics.suppression import count, suppress_table
from ..metrics.survey_response import survey_response_view

WIDTH = 8
TOO_FEW = "Too few pairs to say"
DEFINED = ["survey_response", "feedback", "comparison"]
CHANGE_DEFINITIONS = [("Change from start to end", paired_change), ("Wilcoxon signed-rank test", signed_rank),
                      ("Smallest change the pairs could detect", detectable_effect),
                      ("Difference between the groups", difference_in_change)]


def _signed(value):
    if value is not None and round(value, 2) == 0:
        value = 0.0  # never "-0.00"
    return "–" if value is None else f"{value:+.2f}"


def _interval(low, high, *, none="every pair changed by the same amount", words=False):
    if low is None:
        return none
    return f"from {_signed(low)} to {_signed(high)}" if words else f"{_signed(low)} to {_signed(high)}"


def _change(name, value, low, high, none="every pair changed by the same amount"):
    """"change +0.68 (95% interval +0.25 to +1.12)": a word first, never a sign."""
    return f"{name} {_signed(value)} ({_interval(low, high) if low is not None else none})"


def _prose(text: str) -> str:
    """A docstring as a cell's text: its lines run together (the cell wraps them to its width),
    its blank-line paragraph breaks kept."""
    return "\n".join(" ".join(part.split()) for part in re.split(r"\n\s*\n", text.strip()))


def _line(*cells):
    cells = list(cells)
    return cells + [""] * (WIDTH - len(cells))


def _label(code, core_text):
    """A shared question code's words: an instrument item as "SWEMWBS: <item>", else the core text."""
    name, _, number = (code or "").rpartition("_")
    inst = instruments.get(name)
    if inst is not None and number.isdigit() and int(number) in {i.number for i in inst.items}:
        return inst, f"{inst.short_title}: {inst.item(int(number)).text}"
    return None, core_text.get(code, code)


def programme_titles(ctx) -> dict:
    """Titles of the programmes an export covers: its programme, or the organisation's."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Programme

    if ctx.programme is not None:
        return {ctx.programme.id: ctx.programme.title}
    return dict(db.session.execute(select(Programme.id, Programme.title)
                                   .where(Programme.organisation_id == ctx.organisation.id)).all())


def evidence(q, titles: dict, threshold: int) -> tuple[list[list], list[int]]:
    """The evidence rows and where each section starts (row numbers from 0 within them)."""
    from ..services.surveys import CORE_TEXT  # the core questions' words, defined with the surveys

    m = compute_all(q, ["feedback", "comparison", "survey_response"])
    lines, starts = [], []
    c = lambda n: count(n, threshold)  # noqa: E731

    # Who answered.
    shown = survey_response_view(m["survey_response"], shared=True, t=threshold, titles=titles)
    if shown["programmes"]:
        starts.append(len(lines))
        title = "Who answered"
        lines.append(_line(title, "Start and end surveys: programme · start cohort", *shown["columns"]))
        for p in shown["programmes"]:
            for row in p["rows"] + ([p["comparison"]] if p["comparison"] else []):
                lines.append(_line(title, f"{p['title']} · {row['label']}", *[cell["count"] for cell in row["cells"]]))

    # Change from start to end, per questionnaire score and per shared question.
    feedback = m["feedback"]
    change = [(inst.score_name, x["stats"]) for x in feedback.get("scores", [])
              if (inst := instruments.get(x["instrument"]))]
    for x in feedback["change"]:
        inst, label = _label(x["code"], CORE_TEXT)
        if inst is not None and inst.has_score:  # reported as its published score, above
            continue
        change.append((label, x["stats"]))
    if change:
        starts.append(len(lines))
        title = "Change start to end"
        # The change as a number and its interval in words, so that no cell begins with "+" or
        # "-" (the CSV's formula guard would put an apostrophe before it).
        lines.append(_line(title, "Questionnaire score or question", "Pairs", "Start → end (means)",
                           "Mean change", "95% interval", "Effect size (d_z)", "Up / same / down (Wilcoxon p)"))
        for label, st in change:
            if not st.enough or st.pairs < threshold:
                lines.append(_line(title, label, c(st.pairs), TOO_FEW))
                continue
            moves = " / ".join(str(n) for n in suppress_table([[st.up, st.same, st.down]], threshold).cells[0])
            if st.wilcoxon is not None:
                moves += " (p < 0.001)" if st.wilcoxon.p_value < 0.001 else f" (p = {st.wilcoxon.p_value:.3f})"
            lines.append(_line(title, label, st.pairs, f"{st.mean_before:.2f} → {st.mean_after:.2f}",
                               round(st.mean_change, 2), _interval(st.ci_low, st.ci_high, words=True),
                               "" if st.effect_size is None else round(st.effect_size, 2), moves))
        lines.append(_line(title, f"What a finding needs: at least {feedback.get('min_pairs')} young people who "
                                  "answered both the start and the end survey of the same programme."))

    # The comparison group beside the served group.
    found = m["comparison"]
    if found["programmes"]:
        starts.append(len(lines))
        title = "Comparison group"
        lines.append(_line(title, "Programme · score or question", "Served pairs", "Comparison pairs",
                           "Served: change (95% interval)", "Comparison: change (95% interval)",
                           "Difference (Welch's 95% interval)"))
        for p in found["programmes"]:
            for x in p["rows"]:
                if x["kind"] == "score":
                    label = instruments.get(x["code"]).score_name
                else:
                    inst, label = _label(x["code"], CORE_TEXT)
                    if inst is not None and inst.has_score:
                        continue
                st = x["stats"]
                served, other = st.served, st.comparison
                prefix = [title, f"{titles.get(p['programme_id'], '')} · {label}", c(served.pairs), c(other.pairs)]
                if not st.enough or served.pairs < threshold or other.pairs < threshold:
                    lines.append(_line(*prefix, TOO_FEW))
                    continue
                lines.append(_line(*prefix, _change("change", served.mean_change, served.ci_low, served.ci_high),
                                   _change("change", other.mean_change, other.ci_low, other.ci_high),
                                   _change("difference", st.difference, st.ci_low, st.ci_high,
                                           none="no spread in either group")))
        lines.append(_line(title, f"{NOT_RANDOMISED}. The comparison group (a waiting list, or young people not "
                                  "yet served) was not chosen by chance: the difference is a pointer, not proof."))

    # Definitions: the metrics' own docstrings, the formulas the figures above were worked out with.
    if lines:
        starts.append(len(lines))
        title = "Definitions"
        for key in DEFINED:
            lines.append(_line(title, f"{REGISTRY[key].title}: {_prose(REGISTRY[key].formula)}"))
        for name, fn in CHANGE_DEFINITIONS:
            lines.append(_line(title, f"{name}: {_prose(inspect.cleandoc(fn.__doc__))}"))
    return lines, starts
