#!/usr/bin/env python3
"""Draws the socket-to-listener figures of two JMH result files as one SVG bar chart.

Usage: path-chart.py BEFORE.json AFTER.json OUT.svg

Each *PathBenchmark gets two bars (before, after) of events per second, labelled with the score and
the bytes allocated per event (gc.alloc.rate.norm, when the run used -prof gc).
"""
import json
import sys
from xml.sax.saxutils import escape


def load(path):
    out = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)[-2]
        norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        out[name] = (r["primaryMetric"]["score"], norm)
    return out


def main(before_path, after_path, svg_path):
    before, after = load(before_path), load(after_path)
    names = [n for n in after if n in before and n.endswith("PathBenchmark")]
    top = max(max(before[n][0], after[n][0]) for n in names) * 1.15
    bar, gap, left, height = 34, 40, 230, 260
    width = left + len(names) * (2 * bar + gap) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 90}"'
        ' font-family="sans-serif" font-size="11">',
        f'<text x="10" y="18" font-size="13">Socket to listener, events/s (higher is better);'
        " label: events/s, bytes allocated per event</text>",
        f'<line x1="{left - 10}" y1="{height + 30}" x2="{width - 20}" y2="{height + 30}"'
        ' stroke="#444"/>',
        f'<rect x="10" y="40" width="12" height="12" fill="#b0b0b0"/>'
        '<text x="28" y="50">before</text>'
        '<rect x="10" y="60" width="12" height="12" fill="#2f6db5"/>'
        '<text x="28" y="70">after</text>',
    ]
    x = left
    for n in names:
        for i, (score, norm) in enumerate((before[n], after[n])):
            h = score / top * height
            y = height + 30 - h
            color = "#b0b0b0" if i == 0 else "#2f6db5"
            parts.append(
                f'<rect x="{x + i * bar}" y="{y:.1f}" width="{bar - 4}" height="{h:.1f}"'
                f' fill="{color}"/>'
            )
            label = f"{score:,.0f}" + (f" / {norm:,.0f} B" if norm is not None else "")
            parts.append(
                f'<text x="{x + i * bar + 12}" y="{y - 4:.1f}" font-size="9"'
                f' transform="rotate(-60 {x + i * bar + 12} {y - 4:.1f})">{escape(label)}</text>'
            )
        parts.append(
            f'<text x="{x + bar}" y="{height + 46}" text-anchor="middle">{escape(n)}</text>'
        )
        x += 2 * bar + gap
    parts.append("</svg>")
    open(svg_path, "w").write("\n".join(parts) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
