"""The benchmark chart (bench/.venv: matplotlib): bench/chart.py results.json out.png"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

OPS = ("list", "get", "post", "put", "delete")
LABELS = {"floor": "floor (bare Flask+pymongo)", "us": "Flaskbone", "eve": "Eve"}
COLORS = {"floor": "#9e9e9e", "us": "#1f77b4", "eve": "#ff7f0e"}


def main(results_path, out_path):
    with open(results_path) as f:
        r = json.load(f)
    t = r["throughput"]
    servers = r["servers"]
    growth = r.get("growth", {}).get("rows", [])
    fig, axes = plt.subplots(1, 3 if growth else 2, figsize=(16 if growth else 11, 4.8))
    width = 0.8 / len(servers)
    for ax, metric, title in (
        (axes[0], "rps", "Requests per second (higher is better)"),
        (axes[1], "p50_us", "Median latency, ms (lower is better)"),
    ):
        for i, s in enumerate(servers):
            values = [t[f"{s}/{op}"][metric] / (1000 if metric == "p50_us" else 1) for op in OPS]
            xs = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(OPS))]
            ax.bar(xs, values, width, label=LABELS[s], color=COLORS[s])
        ax.set_xticks(range(len(OPS)), ["list", "item GET", "POST", "PUT", "DELETE"])
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend()
    if growth:
        ax = axes[2]
        xs = [row["widgets"] for row in growth]
        ax.plot(xs, [row["http_first_ms"] for row in growth], "o-", label="list, page 1")
        ax.plot(xs, [row["http_deep_ms"] for row in growth], "s-", label="list, last page")
        ax.plot(xs, [row["http_get_ms"] for row in growth], "^-", label="item GET")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("one user's widgets")
        ax.set_title("Flaskbone latency as data grows, ms")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(
        f"Flaskbone vs floor vs Eve: gunicorn {r['config']['workers']}x{r['config']['threads']} gthread, "
        f"wrk {r['config']['connections']} connections, SecantusDB, {r['date']}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
