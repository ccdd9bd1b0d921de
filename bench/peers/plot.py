#!/usr/bin/python3
"""Draws bench/run-peers.sh's table as an SVG chart (no plotting library needed): the MLP speed-up over PyTorch for
every width and batch, with the 10× target, and the matrix products' share of the measured FMA peak, with the 70%
target. Reads the JSON that report.py writes (--json).

    /usr/bin/python3 bench/peers/plot.py bench/peers-results.json bench/peers-speedup.svg
"""
import argparse
import json
import math
import sys
from xml.sax.saxutils import escape

# Speed-up panel: one bar per operation in every (width, batch) cell; colours from the Okabe-Ito palette, which
# stays distinguishable with the common colour-vision deficiencies.
SPEEDUP_OPS = [("forward", "forward", "#999999"), ("jvp", "JVP", "#56B4E9"), ("vjp", "VJP", "#009E73"),
               ("grad", "gradient", "#D55E00"), ("ggn", "GGN product", "#0072B2")]
# Peak panel: the products the MLP's layers run, as NGGen.PeerBench --group peak times them.
PEAK_PRODUCTS = [("gemm", "W·X (layer)", "#E69F00"), ("gemm_input_cotangent", "Wᵀ·D (input cotangent)", "#CC79A7"),
                 ("gemm_weight_gradient", "D·Hᵀ (weight gradient)", "#0072B2")]
SPEEDUP_TARGET = 10.0
PEAK_TARGET = 0.70
# The tick across a speed-up bar at the speed-up from each side's fastest round.
MARKER_COLOUR = "#222222"

WIDTH = 980
PANEL_HEIGHT = 300
LEFT, RIGHT, TOP = 70, 20, 60
CELL_LABEL_HEIGHT = 44
LEGEND_HEIGHT = 26


def load_rows(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"{path}: cannot read report.py's JSON ({error}); run bench/run-peers.sh --json {path}")
    rows = data.get("rows")
    if not isinstance(rows, list):
        raise SystemExit(f"{path}: no 'rows' list; is this report.py's --json output?")
    return data, rows


def speedups(rows, field="ratio"):
    """{(width, batch): {op: PyTorch time / NGGen time}} for the MLP group, from the medians (`ratio`) or from each
    side's fastest round (`best_ratio`)."""
    cells = {}
    for r in rows:
        if r.get("group") != "mlp" or not r.get(field):
            continue
        cells.setdefault((int(r["width"]), int(r["batch"])), {})[r["op"]] = 1 / r[field]
    return cells


def peak_fractions(rows):
    """{(width, batch): {product: fraction of the FMA peak}} for the peak group's layer products."""
    cells = {}
    for r in rows:
        if r.get("group") != "peak":
            continue
        parts = r["case"].split("/")
        if len(parts) != 3 or parts[0] not in {p for p, _, _ in PEAK_PRODUCTS}:
            continue
        fraction = r.get("extras", {}).get("nggen", {}).get("fraction_of_peak")
        if fraction is not None:
            cells.setdefault((int(parts[1][1:]), int(parts[2][1:])), {})[parts[0]] = fraction
    return cells


class Svg:
    def __init__(self, height):
        self.height = height
        self.parts = []

    def add(self, element):
        self.parts.append(element)

    def text(self, x, y, content, size=12, anchor="middle", weight="normal", fill="#222"):
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
                 f'fill="{fill}">{escape(content)}</text>')

    def line(self, x1, y1, x2, y2, stroke="#ccc", width=1, dash=None):
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
                 f'stroke-width="{width}"{dash_attribute}/>')

    def rect(self, x, y, w, h, fill, title=None):
        tooltip = f"<title>{escape(title)}</title>" if title else ""
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}">'
                 f'{tooltip}</rect>')

    def render(self):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{self.height}" '
                f'viewBox="0 0 {WIDTH} {self.height}" font-family="DejaVu Sans, Arial, sans-serif">\n'
                f'<rect width="{WIDTH}" height="{self.height}" fill="white"/>\n' + "\n".join(self.parts) + "\n</svg>\n")


def bar_panel(svg, top, title, cells, series, scale, ticks, target, target_label, value_label, markers=None,
              marker_label=None):
    """Grouped bars: one group per (width, batch) cell, one bar per series; `scale` maps a value to 0..1 of the
    plot height. `markers` (same keys as `cells`) draws a dark tick across a bar at a second value of it."""
    plot_top = top + 28
    plot_bottom = top + PANEL_HEIGHT - CELL_LABEL_HEIGHT - LEGEND_HEIGHT
    plot_height = plot_bottom - plot_top
    plot_width = WIDTH - LEFT - RIGHT
    svg.text(LEFT, top + 14, title, size=14, anchor="start", weight="bold")

    def y_of(value):
        return plot_bottom - plot_height * min(max(scale(value), 0.0), 1.0)

    for tick, label in ticks:
        y = y_of(tick)
        svg.line(LEFT, y, LEFT + plot_width, y)
        svg.text(LEFT - 6, y + 4, label, size=11, anchor="end")
    keys = sorted(cells)
    group_width = plot_width / max(len(keys), 1)
    bar_width = group_width * 0.8 / len(series)
    for index, key in enumerate(keys):
        x0 = LEFT + index * group_width + group_width * 0.1
        for position, (name, label, colour) in enumerate(series):
            value = cells[key].get(name)
            if value is None:
                continue
            y = y_of(value)
            svg.rect(x0 + position * bar_width, y, bar_width - 1, plot_bottom - y, colour,
                     f"w{key[0]} b{key[1]} {label}: {value_label(value)}")
            marker = (markers or {}).get(key, {}).get(name)
            if marker is not None:
                marker_y = y_of(marker)
                svg.line(x0 + position * bar_width, marker_y, x0 + (position + 1) * bar_width - 1, marker_y,
                         stroke=MARKER_COLOUR, width=2)
        centre = LEFT + (index + 0.5) * group_width
        svg.text(centre, plot_bottom + 16, f"w{key[0]}", size=11)
        svg.text(centre, plot_bottom + 30, f"b{key[1]}", size=11, fill="#555")
        if index > 0 and key[0] != keys[index - 1][0]:
            boundary = LEFT + index * group_width
            svg.line(boundary, plot_top, boundary, plot_bottom + 32, stroke="#888")
    target_y = y_of(target)
    svg.line(LEFT, target_y, LEFT + plot_width, target_y, stroke="#c00", width=1.5, dash="6,4")
    svg.line(LEFT, plot_bottom, LEFT + plot_width, plot_bottom, stroke="#444")
    # The target's label goes in the legend, where no bar can cover it.
    legend_y = top + PANEL_HEIGHT - LEGEND_HEIGHT + 8
    x = LEFT
    for _, label, colour in series:
        svg.rect(x, legend_y - 9, 12, 12, colour)
        svg.text(x + 16, legend_y + 1, label, size=11, anchor="start")
        x += 30 + 7 * len(label)
    if markers and marker_label:
        svg.line(x, legend_y - 3, x + 14, legend_y - 3, stroke=MARKER_COLOUR, width=2)
        svg.text(x + 18, legend_y + 1, marker_label, size=11, anchor="start")
        x += 34 + 7 * len(marker_label)
    svg.line(x, legend_y - 3, x + 24, legend_y - 3, stroke="#c00", width=1.5, dash="6,4")
    svg.text(x + 30, legend_y + 1, target_label, size=11, anchor="start", fill="#c00")


def draw(data, rows):
    speed = speedups(rows)
    peak = peak_fractions(rows)
    if not speed and not peak:
        raise SystemExit("no MLP or peak rows to plot; run bench/run-peers.sh with the mlp and peak groups")
    panels = [p for p in (speed, peak) if p]
    svg = Svg(TOP + PANEL_HEIGHT * len(panels))
    rounds = data.get("rounds", "?")
    fma_peak = data.get("fma_float_peak_gflops")
    subtitle = f"median of {rounds} round(s)" + (f"; 2-core float FMA peak {fma_peak:.1f} GFLOP/s" if fma_peak else "")
    svg.text(LEFT, 24, "NGGen against PyTorch on this machine (bench/run-peers.sh)", size=16, anchor="start",
             weight="bold")
    svg.text(LEFT, 44, subtitle, size=12, anchor="start", fill="#555")
    top = TOP
    if speed:
        log_low, log_high = 0.0, math.log10(max(100.0, max(v for c in speed.values() for v in c.values()) * 1.1))
        bar_panel(svg, top, "MLP speed-up over PyTorch (PyTorch time / NGGen time, log scale)", speed,
                  SPEEDUP_OPS, lambda v: (math.log10(max(v, 1e-9)) - log_low) / (log_high - log_low),
                  [(t, f"{t:g}×") for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if math.log10(t) <= log_high],
                  SPEEDUP_TARGET, "target ≥ 10×", lambda v: f"{v:.1f}×", speedups(rows, "best_ratio"),
                  "fastest rounds")
        top += PANEL_HEIGHT
    if peak:
        bar_panel(svg, top, "Matrix products: share of the measured FMA peak (target ≥ 70% at width ≥ 256)", peak,
                  PEAK_PRODUCTS, lambda v: v, [(t / 10, f"{t * 10}%") for t in range(0, 11, 2)],
                  PEAK_TARGET, "target 70%", lambda v: f"{100 * v:.0f}%")
    return svg.render()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", help="report.py's --json output")
    parser.add_argument("svg", help="where to write the chart")
    args = parser.parse_args()
    data, rows = load_rows(args.json)
    with open(args.svg, "w") as f:
        f.write(draw(data, rows))
    print(f"Wrote {args.svg}", file=sys.stderr)


if __name__ == "__main__":
    main()
