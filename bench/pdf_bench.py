"""How long the plan PDF takes to render, against a bare ReportLab baseline. No Flask, no database.

    .venv/bin/python bench/pdf_bench.py [--runs 30] [--long-runs 3] [--json] [--editions]

Reports median and p95 wall time for a typical signed plan and for the 40-action plan with 5,000-character
answers, peak traced memory (tracemalloc) of one render, and two baselines of the same number of pages in the same
embedded font: a bare canvas with drawString (the target's baseline), and a minimal platypus document of paragraphs
(what ReportLab's layout engine costs before eha adds anything). Target: typical plan within 3x the minimal
document and under 50 ms median; the canvas ratio is printed too. Issue 14 part 6: the 40-action plan under 2 s,
the sealed typical (4-page) plan under 100 ms median.

``--editions``: render time, pages and size of every edition of the typical plan (each language x standard and
large print, and the accessible copy's plain text), as the family gets it.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import sys
import time
import tracemalloc
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from eha.pdf.base import FONT, register_fonts  # noqa: E402
from eha.pdf.plan import render_plan  # noqa: E402
from tests.pdf.conftest import long_plan, typical_plan  # noqa: E402  (plain-data fixtures shared with the tests)

TARGET_RATIO = 3.0
TARGET_MEDIAN_MS = 50.0
TARGET_LONG_MS = 2000.0
TARGET_SEALED_MS = 100.0


def baseline(pages: int) -> bytes:
    """The least ReportLab can do for the same pages: a canvas, some lines of text, the same font."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for page in range(pages):
        canvas.setFont(FONT, 12)
        for line in range(45):
            canvas.drawString(50, 800 - line * 16, f"Page {page + 1} line {line}: Łódź İstanbul Nguyễn Thị")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def baseline_platypus(pages: int) -> bytes:
    """A minimal platypus document of the same pages: paragraphs only, no tables, the same font."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=16)
    story = []
    for page in range(pages):
        story.extend(Paragraph(f"Page {page + 1} line {line}: Łódź İstanbul Nguyễn Thị", style) for line in range(40))
        story.append(PageBreak())
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story[:-1])
    return buffer.getvalue()


def timings(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per run. CPU time is the steadier figure on a shared, busy machine."""
    fn()  # warm up: imports, font registration, caches
    wall, cpu = [], []
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(measured: tuple[list[float], list[float]]) -> dict:
    wall, cpu = measured
    return {
        "runs": len(wall),
        "median_ms": round(statistics.median(wall), 2),
        "p95_ms": round(p95(wall), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(p95(cpu), 2),
    }


def peak_kib(fn) -> float:
    fn()
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 1024, 1)


def sealed_plan(plan):
    """Render and seal the typical plan as a request does (render_plan, then seal_pdf with a PKCS#12 file)."""
    import tempfile

    from eha.pdf.seal import make_self_signed_pkcs12, seal_pdf

    path = make_self_signed_pkcs12(Path(tempfile.mkdtemp()) / "seal.p12", b"bench", "eha bench")
    return lambda: seal_pdf(render_plan(plan), path, b"bench")


def editions(runs: int) -> list[dict]:
    """Every edition of the typical plan: median render time, pages and bytes."""
    from eha.pdf.i18n import SUPPORTED, translator
    from eha.pdf.plain import plan_text
    from eha.pdf.wording import Wording

    plan, rows = typical_plan(), []
    for code in SUPPORTED:
        language = translator(code)
        for large in (False, True):
            pdf = render_plan(plan, large, language=language, interpreter=code != "en")
            wall, cpu = timings(partial(render_plan, plan, large, language=language), runs)
            rows.append({
                "edition": f"{code}{' large print' if large else ''}",
                "translated": language.translated,
                "median_ms": round(statistics.median(wall), 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "pages": len(PdfReader(io.BytesIO(pdf)).pages),
                "bytes": len(pdf),
            })  # fmt: skip
        text = plan_text(plan, Wording(language))
        wall, _ = timings(partial(plan_text, plan, Wording(language)), runs)
        rows.append({"edition": f"{code} plain text", "translated": language.translated,
                     "median_ms": round(statistics.median(wall), 2), "pages": None,
                     "bytes": len(text.encode())})  # fmt: skip
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--long-runs", type=int, default=3, help="runs of the 40-action plan (slow)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--editions", action="store_true", help="every language and print size of the plan")
    args = parser.parse_args(argv)

    register_fonts()
    typical, long = typical_plan(), long_plan()
    typical_pdf = render_plan(typical)
    pages = len(PdfReader(io.BytesIO(typical_pdf)).pages)
    long_pdf = render_plan(long)

    base = summary(timings(lambda: baseline(pages), args.runs))
    base_platypus = summary(timings(lambda: baseline_platypus(pages), args.runs))
    plan = summary(timings(lambda: render_plan(typical), args.runs))
    large = summary(timings(lambda: render_plan(typical, large=True), args.runs))
    long_ = summary(timings(lambda: render_plan(long), args.long_runs)) if args.long_runs else None
    sealed = summary(timings(sealed_plan(typical), args.runs))

    plan.update(pages=pages, bytes=len(typical_pdf), peak_kib=peak_kib(lambda: render_plan(typical)))
    base.update(pages=pages, bytes=len(baseline(pages)), peak_kib=peak_kib(lambda: baseline(pages)))
    if long_:
        long_.update(pages=len(PdfReader(io.BytesIO(long_pdf)).pages), bytes=len(long_pdf))
    report = {
        "typical_plan": plan,
        "typical_plan_large_print": large,
        "baseline_canvas": base,
        "baseline_platypus": base_platypus,
        "long_plan_40_actions": long_,
        "sealed_typical_plan": sealed,
        "ratio_median": round(plan["median_ms"] / base["median_ms"], 2),
        "ratio_cpu_median": round(plan["cpu_median_ms"] / base["cpu_median_ms"], 2),
        "ratio_cpu_median_platypus": round(plan["cpu_median_ms"] / base_platypus["cpu_median_ms"], 2),
    }
    # "A minimal ReportLab document of the same pages" is the platypus one: the canvas row shows how far even
    # that is from drawing strings by hand.
    report["meets_target"] = (
        report["ratio_cpu_median_platypus"] <= TARGET_RATIO and plan["median_ms"] < TARGET_MEDIAN_MS
    )
    report["long_plan_under_2s"] = bool(long_) and long_["median_ms"] < TARGET_LONG_MS
    report["sealed_under_100ms"] = sealed["median_ms"] < TARGET_SEALED_MS
    if args.editions:
        report["editions"] = editions(max(3, args.runs // 3))

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        names = (
            "typical_plan",
            "typical_plan_large_print",
            "baseline_canvas",
            "baseline_platypus",
            "long_plan_40_actions",
            "sealed_typical_plan",
        )
        for name in names:
            row = report[name]
            if row:
                shown = ("median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms")
                extra = "  ".join(f"{k}={v}" for k, v in row.items() if k not in shown)
                print(
                    f"{name:26} median {row['median_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms  "
                    f"(cpu {row['cpu_median_ms']:.2f} / {row['cpu_p95_ms']:.2f})  {extra}"
                )
        print(f"ratio typical/bare canvas: wall {report['ratio_median']}x, cpu {report['ratio_cpu_median']}x")
        print(f"ratio typical/minimal platypus document (cpu): {report['ratio_cpu_median_platypus']}x;"
              f" target <= {TARGET_RATIO}x and < {TARGET_MEDIAN_MS} ms median:"
              f" {'met' if report['meets_target'] else 'MISSED'}")  # fmt: skip
        print(f"40-action plan under {TARGET_LONG_MS:.0f} ms: {'met' if report['long_plan_under_2s'] else 'MISSED'};"
              f" sealed typical plan under {TARGET_SEALED_MS:.0f} ms median:"
              f" {'met' if report['sealed_under_100ms'] else 'MISSED'}")  # fmt: skip
        for row in report.get("editions", []):
            ready = "" if row["translated"] else "  (no catalogue yet: English, with a note)"
            pages = f"{row['pages']:3d} pages" if row["pages"] else "   (text)"
            print(f"edition {row['edition']:18} {row['median_ms']:8.1f} ms  {pages}  {row['bytes']:7d} bytes{ready}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
