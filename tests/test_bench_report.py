"""docs/benchmarks.md marks a slice in which a server stalled (bench/report.py).

A slice at under half the server's median rate is a stall (seen with the embedded
database); the report shows it with its figure, neither hidden nor dropped.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from report import LABELS, slices_section, stalled


def run(rps, cpu=1.0):
    return {"rps": rps, "cpu_ms_per_req": cpu}


def results(us_rates):
    """POST slices: the floor steady, the app at these rates."""
    slices = [{"floor": run(800, 0.6), "us": run(rate, 0.9)} for rate in us_rates]
    ratios = {"us/floor/post": {"slices": [1.5] * len(us_rates)}}
    return {"throughput": {"slices": {"post": slices}}}, ratios


def test_a_slice_under_half_the_median_rate_is_a_stall():
    assert stalled([run(600), run(590), run(140), run(610)]) == {2}
    assert stalled([run(600), run(320), run(610)]) == set()


def test_the_report_marks_a_stalled_slice_and_says_what_the_mark_means():
    r, ratios = results([600, 140, 610])
    lines = slices_section(r, ["floor", "us"], ratios)
    assert f"| POST | {LABELS['us']} | 0.90 | 0.90\\* | 0.90 |" in lines
    assert "| POST | floor | 0.60 | 0.60 | 0.60 |" in lines
    assert any(line.startswith("\\* The server answered under half") for line in lines)


def test_without_a_stall_there_is_no_mark():
    r, ratios = results([600, 590, 610])
    lines = slices_section(r, ["floor", "us"], ratios)
    assert not any("\\*" in line for line in lines)
