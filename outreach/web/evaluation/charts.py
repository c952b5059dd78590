"""Chart geometry for server-side SVG: numbers in, boxes and labels out.

Templates draw what these return (templates/_macros/charts.html). Every bar and
point carries its value as text, so nothing depends on colour alone.
"""
from dataclasses import dataclass, field

WIDTH = 480


@dataclass
class Chart:
    title: str
    description: str
    height: int
    kind: str
    items: list = field(default_factory=list)
    axis: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    ticks: list = field(default_factory=list)   # x-axis labels of a line chart
    base_y: float = 0                            # where a line chart's x axis sits
    width: int = WIDTH


def hbar(title, rows, description=""):
    """Horizontal bars. rows: (label, value, text shown)."""
    row_h, label_w, value_w = 38, 150, 60
    top = max([v for _, v, _ in rows] + [1])
    span = WIDTH - label_w - value_w
    items = [{"label": label, "text": text, "y": i * row_h + 6, "x": label_w,
              "w": max(0.0, span * (value or 0) / top), "h": row_h - 12}
             for i, (label, value, text) in enumerate(rows)]
    return Chart(title, description, len(rows) * row_h + 8, "hbar", items)


def columns(title, bars, series, description="", max_labels=8):
    """Vertical stacked columns. bars: (label, [value per series], text on top)."""
    height, left, bottom, top_pad = 240, 36, 44, 22
    n = max(len(bars), 1)
    slot = (WIDTH - left) / n
    peak = max([sum(v or 0 for v in values) for _, values, _ in bars] + [1])
    plot_h = height - bottom - top_pad
    # Label every k-th column so labels never overlap on a long programme.
    every = max(1, -(-n // max_labels))
    items = []
    for i, (label, values, text) in enumerate(bars):
        x, y, parts = left + i * slot + slot * 0.15, height - bottom, []
        for s, value in enumerate(values):
            h = plot_h * (value or 0) / peak
            y -= h
            parts.append({"y": y, "h": h, "series": s})
        items.append({"x": x, "w": slot * 0.7, "parts": parts, "text": text, "text_y": y - 5,
                      "label": label if i % every == 0 else "", "cx": x + slot * 0.35,
                      "title": f"{label}: {text}"})
    axis = [{"y": height - bottom - plot_h * f, "value": round(peak * f)} for f in (0, 0.5, 1)]
    return Chart(title, description, height, "columns", items, axis=axis, legend=series)


def lines(title, series, steps, description=""):
    """Lines of shares (0..1) against steps 1..K. series: (name, [share or None per step])."""
    height, left, bottom, top_pad, right = 240, 44, 40, 16, 20
    plot_w, plot_h = WIDTH - left - right, height - bottom - top_pad
    x_of = (lambda k: left + plot_w * (k - 1) / max(steps - 1, 1))
    items = []
    for s, (name, shares) in enumerate(series):
        points = [{"x": x_of(k), "y": top_pad + plot_h * (1 - share), "text": f"{round(share * 100)}%", "k": k}
                  for k, share in enumerate(shares, start=1) if share is not None]
        items.append({"name": name, "series": s, "points": points,
                      "path": " ".join(f"{'M' if i == 0 else 'L'}{p['x']:.1f},{p['y']:.1f}"
                                       for i, p in enumerate(points))})
    axis = [{"y": top_pad + plot_h * (1 - f), "value": f"{round(f * 100)}%"} for f in (0, 0.5, 1)]
    ticks = [{"x": x_of(k), "label": f"+{k}"} for k in range(1, steps + 1)]
    return Chart(title, description, height, "lines", items, axis=axis, legend=[name for name, _ in series],
                 ticks=ticks, base_y=height - bottom)
