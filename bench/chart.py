"""The benchmark chart (bench/.venv: matplotlib): bench/chart.py results.json out.png"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

OPS = ("list", "get", "put", "post", "delete")
OP_NAMES = ("list", "item GET", "PUT", "POST", "DELETE")
ORDER = ("floor", "eve", "us")
LABELS = {"floor": "floor (bare Flask+pymongo)", "us": "Flaskbone", "eve": "Eve"}
COLORS = {"floor": "#9e9e9e", "us": "#1f77b4", "eve": "#ff7f0e"}


def bars(ax, servers, t, value, hatch=None, bottom=None, label=True):
    width = 0.8 / len(servers)
    for i, s in enumerate(servers):
        xs = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(OPS))]
        ys = [value(t[f"{s}/{op}"]) for op in OPS]
        base = [bottom(t[f"{s}/{op}"]) for op in OPS] if bottom else None
        ax.bar(xs, ys, width, bottom=base, color=COLORS[s], hatch=hatch,
               alpha=0.45 if hatch else 1, label=LABELS[s] if label else None)  # fmt: skip
    ax.set_xticks(range(len(OPS)), OP_NAMES)
    ax.grid(axis="y", alpha=0.3)


def clip_outliers(ax, totals):
    """Keep one bar far above the rest (a database walking an index, say) from
    flattening all the others: cut the axis at 3x the median and say so."""
    cap = 3 * sorted(totals)[len(totals) // 2]
    if max(totals) > cap:
        ax.set_ylim(0, cap)
        ax.text(0.99, 0.97, f"axis cut at {cap:.0f} ms (highest {max(totals):.0f} ms)",
                transform=ax.transAxes, ha="right", va="top", fontsize=8)  # fmt: skip


def main(results_path, out_path):
    with open(results_path) as f:
        r = json.load(f)
    t = r["throughput"]["combined"]
    servers = [s for s in ORDER if s in r["servers"]]
    growth = (r.get("growth") or {}).get("rows", [])
    fig, axes = plt.subplots(1, 3 if growth else 2, figsize=(16 if growth else 11, 4.8))
    bars(axes[0], servers, t, lambda x: x["rps"])
    axes[0].set_title("Requests per second (higher is better)")
    axes[0].legend()
    # The server's own CPU per request, the database's stacked on it (hatched).
    bars(axes[1], servers, t, lambda x: x["cpu_ms_per_req"])
    bars(axes[1], servers, t, lambda x: x["db_cpu_ms_per_req"], hatch="//",
         bottom=lambda x: x["cpu_ms_per_req"], label=False)  # fmt: skip
    axes[1].set_title("CPU ms per request: server, database hatched (lower is better)")
    clip_outliers(axes[1], [x["cpu_ms_per_req"] + x["db_cpu_ms_per_req"] for x in t.values()])
    if growth:
        ax = axes[2]
        xs = [row["widgets"] for row in growth]
        ax.plot(xs, [row["http_first_ms"] for row in growth], "o-", label="list, page 1")
        ax.plot(
            xs, [row["http_deep_ms"] for row in growth], "s-", label="list, last page by number"
        )
        if all(row.get("http_deep_after_ms") for row in growth):
            after = [row["http_deep_after_ms"] for row in growth]
            ax.plot(xs, after, "d-", label="list, last page by after=")
        ax.plot(xs, [row["http_get_ms"] for row in growth], "^-", label="item GET")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("one user's widgets")
        ax.set_title("Flaskbone latency as data grows, ms")
        ax.grid(alpha=0.3)
        ax.legend()
    cfg = r["config"]
    fig.suptitle(
        f"gunicorn {cfg['workers']} workers x {cfg['threads']} gthreads each, wrk "
        f"{cfg['connections']} connections, a SecantusDB per server, {r['date']}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
