#!/usr/bin/env python3
"""kyotei's benchmark: render synthetic registers of N agreements and compare each PDF with
LibreOffice's conversion of the same DOCX. Run through bench/run.sh, which builds first.

Writes bench/RESULTS.md (or the file given by --results) and prints it.
"""

import argparse
import datetime
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/kyotei"
SYNTH = ROOT / "target/release/examples/synth"
# The `report` rows: agreements with this many results each (the results are what `report`
# looks up per agreement; it once scanned the whole register for each).
REPORT_RESULTS = 2
AS_OF = "2026-11-25"
ANALYSIS = "## What limits the figures"
KINDS = ["申出書", "提案書", "協定書", "申し合わせ", "実績報告書"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed_render(register, out, extra=()):
    """One fresh `kyotei render` under /usr/bin/time -v: (wall s, peak RSS MB, CPU s)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["/usr/bin/time", "-v", str(BIN), "render", str(register), "-o", str(out),
           "--as-of", AS_OF, "-q", *extra]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"render failed ({p.returncode}): {p.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1))
              for k in ("User", "System"))
    return wall, rss_kb / 1024, cpu


def timed_rerender(register, out):
    """`kyotei render` into an existing folder (what staff do after an edit): wall s."""
    cmd = [str(BIN), "render", str(register), "-o", str(out), "--as-of", AS_OF, "-q"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"render failed ({p.returncode}): {p.stderr[-2000:]}")
    return wall


def timed(cmd):
    """One fresh process under /usr/bin/time -v: (wall s, peak RSS MB, CPU s). Exit status 1
    (findings) is accepted: `check` of a synthetic register may report some."""
    cmd = ["/usr/bin/time", "-v", *map(str, cmd)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd[2:4]} failed ({p.returncode}): {p.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1))
              for k in ("User", "System"))
    return wall, rss_kb / 1024, cpu


def report_rows(work, ns, lines):
    """`report` against `check` on registers of N agreements with REPORT_RESULTS results each:
    `report` must grow with N as `check` does (linearly), not with N × results."""
    say = lines.append
    say(f"## Annual report against check (N agreements, {REPORT_RESULTS} results each)\n")
    say("`kyotei report REG --fiscal-year 2026 -o X --force` and `kyotei check REG`, each a "
        "fresh process. The ratio report / check should stay about the same as N grows.\n")
    say("| N agreements | results | report wall | report CPU | report peak RSS | check wall "
        "| check CPU | report / check |")
    say("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        reg = work / f"report{n}.xlsx"
        run([str(SYNTH), str(n), str(reg), str(REPORT_RESULTS)])
        xlsx = work / f"report{n}_out.xlsx"
        r_wall, r_rss, r_cpu = timed([BIN, "report", reg, "--fiscal-year", "2026",
                                      "-o", xlsx, "--force"])
        if not xlsx.is_file():
            sys.exit(f"report wrote no {xlsx}")
        c_wall, _, c_cpu = timed([BIN, "check", reg, "--as-of", AS_OF])
        say(f"| {n} | {n * REPORT_RESULTS} | {r_wall:.2f} s | {r_cpu:.2f} s | {r_rss:.0f} MB | "
            f"{c_wall:.2f} s | {c_cpu:.2f} s | {r_wall / c_wall:.2f} |")
        print(lines[-1], flush=True)


def compare_rows(work, lines):
    """`compare` of one returned 協定書 (the sample's R8-001, edited by python-docx as a partner
    does: tests/py/return_agreement.py) against `check` of the sample register, each a fresh
    process, 7 runs: compare must stay within 2x of check (#22)."""
    say = lines.append
    sample = ROOT / "samples/sample.xlsx"
    d = work / "compare"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    run([str(BIN), "render", str(sample), "--agreement", "R8-001", "--as-of", AS_OF, "-q",
         "-o", str(d / "out")])
    returned = d / "returned.docx"
    run(["python3", str(ROOT / "tests/py/return_agreement.py"),
         str(d / "out/R8-001/協定書.docx"), str(returned)])
    cmp = [BIN, "compare", returned, sample, "--format", "json"]
    chk = [BIN, "check", sample, "--as-of", AS_OF]
    # compare reads the records of the default output folder: run it inside d.
    os.chdir(d)
    subprocess.run([str(BIN), "render", str(sample), "--agreement", "R8-001", "--as-of", AS_OF,
                    "-q"], check=True, capture_output=True)
    runs = {"compare": [], "check": []}
    for _ in range(7):
        runs["compare"].append(timed(cmp))
        runs["check"].append(timed(chk))
    os.chdir(ROOT)
    say("## `compare` of a returned 協定書 against `check` (the sample register)\n")
    say("`kyotei compare returned.docx samples/sample.xlsx --format json` (R8-001's 協定書 edited "
        "by `tests/py/return_agreement.py`: a name, a sentence, two tracked changes, a comment) "
        "and `kyotei check samples/sample.xlsx`, each a fresh process, median of 7. Target "
        "(#22): compare within 2x of check.\n")
    say("| command | wall (median) | CPU (median) | peak RSS |")
    say("|---|---:|---:|---:|")
    med = {}
    for name, rs in runs.items():
        wall = statistics.median(r[0] for r in rs)
        cpu = statistics.median(r[2] for r in rs)
        rss = max(r[1] for r in rs)
        med[name] = wall
        say(f"| {name} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {rss:.0f} MB |")
    say(f"\ncompare / check: {med['compare'] / med['check']:.2f}\n")
COLLECT_FILL = r"""
import sys, glob, datetime, itertools, openpyxl
forms, replies, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
done = 0
# A department may send several replies: the forms are filled in turn until there are n.
for f in itertools.islice(itertools.cycle(sorted(glob.glob(forms + '/実績報告_*.xlsx'))), n):
    wb = openpyxl.load_workbook(f)
    ids = wb['協定一覧']
    ws = wb['実績報告']
    row = [ids['A2'].value, ids['C2'].value.split('\n')[0], f'ベンチ事業{done}', datetime.datetime(2026, 10, 1),
           datetime.datetime(2026, 10, 2), '市民プラザ', '内容', 30, '成果', '予定', None, None,
           '担当', datetime.datetime(2026, 10, 20), 0]
    for c, v in enumerate(row, 1):
        ws.cell(3, c, v)
    wb.save(f'{replies}/reply{done:03}.xlsx')
    done += 1
print(done)
"""


def collect_rows(work, n, replies, lines):
    """`collect` of REPLIES filled results forms into a register of N agreements against
    `check` of that register (the issue's target: under 3x)."""
    say = lines.append
    reg = work / f"collect{n}.xlsx"
    run([str(SYNTH), str(n), str(reg)])
    forms = work / f"collect{n}_forms"
    shutil.rmtree(forms, ignore_errors=True)
    run([str(BIN), "forms", str(reg), "-o", str(forms), "--as-of", AS_OF])
    rdir = work / f"collect{n}_replies"
    shutil.rmtree(rdir, ignore_errors=True)
    rdir.mkdir(parents=True)
    got = int(run(["python3", "-c", COLLECT_FILL, str(forms), str(rdir), str(replies)]).stdout)
    files = sorted(rdir.glob("*.xlsx"))
    out = work / f"collect{n}_new.xlsx"
    if out.exists():
        out.unlink()
    k_wall, k_rss, k_cpu = timed([BIN, "collect", reg, *files, "-o", out, "--as-of", AS_OF])
    if not out.is_file():
        sys.exit(f"collect wrote no {out}")
    c_wall, _, c_cpu = timed([BIN, "check", reg, "--as-of", AS_OF])
    say(f"## collect against check ({n} agreements, {got} replies)\n")
    say("`kyotei collect REG REPLY… -o NEW` (each reply one result row, on the 実績報告 forms "
        "`kyotei forms` made, each department's form filled several times) and "
        "`kyotei check REG`, each a fresh process. Target: collect under 3x check.\n")
    say("| N agreements | replies | collect wall | collect CPU | collect peak RSS | check wall "
        "| check CPU | collect / check |")
    say("|---:|---:|---:|---:|---:|---:|---:|---:|")
    say(f"| {n} | {got} | {k_wall:.2f} s | {k_cpu:.2f} s | {k_rss:.0f} MB | {c_wall:.2f} s | "
        f"{c_cpu:.2f} s | {k_wall / c_wall:.2f} |")
    print("\n".join(lines[-5:]), flush=True)


def count(out, ext):
    return sum(1 for p in pathlib.Path(out).rglob(f"*.{ext}") if "履歴" not in p.parts)


def soffice(files, outdir, profile):
    """Convert `files` with LibreOffice in one fresh process; returns the wall time."""
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", default="1,100,1000")
    ap.add_argument("--work", default="/tmp/kyotei-bench")
    ap.add_argument("--results", default=str(ROOT / "bench/RESULTS.md"))
    ap.add_argument("--lo-sample", type=int, default=2,
                    help="agreements of N=100 whose DOCX LibreOffice converts")
    ap.add_argument("--report-ns", default="100,1000,4000",
                    help="register sizes of the report-against-check rows")
    ap.add_argument("--only-report", action="store_true",
                    help="run only the report-against-check rows")
    ap.add_argument("--only-compare", action="store_true",
                    help="run only the compare-against-check rows")
    ap.add_argument("--only-collect", action="store_true",
                    help="run only the collect-against-check row (50 replies, 1,000 agreements)")
    ap.add_argument("--bin", help="the kyotei binary (default target/release/kyotei)")
    ap.add_argument("--synth", help="the synth example (default target/release/examples/synth)")
    args = ap.parse_args()
    global BIN, SYNTH
    BIN = pathlib.Path(args.bin).resolve() if args.bin else BIN
    SYNTH = pathlib.Path(args.synth).resolve() if args.synth else SYNTH
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    ns = [int(n) for n in args.ns.split(",")]
    lines = []
    say = lines.append

    cores = os.cpu_count()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    date = run(["date", "-u", "+%Y-%m-%d %H:%M UTC"]).stdout.strip()
    version = run([str(BIN), "--version"]).stdout.strip()
    lo = run(["soffice", "--version"]).stdout.strip() if shutil.which("soffice") else None
    say("# Benchmark results\n")
    say(f"- date: {date}")
    say(f"- machine: {cores} cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB")
    say(f"- kyotei: {version} (release build), `render --as-of {AS_OF} -q`, fresh process each run")
    say(f"- LibreOffice: {lo or 'not installed'}")
    say(f"- load average at the start (1, 5, 15 min): {' '.join(open('/proc/loadavg').read().split()[:3])}")
    say("- registers: `examples/synth.rs` (4–8 fields, 8 projects, 6 memorandum rows, 5 results per agreement)\n")
    report_ns = [int(n) for n in args.report_ns.split(",")]
    if args.only_collect:
        collect_rows(work, 1000, 50, lines)
        return
    if args.only_report:
        report_rows(work, report_ns, lines)
        print("\n".join(lines))
        return
    if args.only_compare:
        compare_rows(work, lines)
        print("\n".join(lines))
        return

    # 1. Whole batches.
    say("## Rendering every document, both formats\n")
    say("CPU time is user + system time of all threads; on a shared virtual machine it varies "
        "less than wall time.\n")
    say("| N agreements | register | files (PDF + DOCX) | wall time | per agreement | per file "
        "| CPU time | peak RSS |")
    say("|---:|---:|---:|---:|---:|---:|---:|---:|")
    batch = {}
    for n in ns:
        reg = work / f"reg{n}.xlsx"
        run([str(SYNTH), str(n), str(reg)])
        out = work / f"out{n}"
        wall, rss, cpu = timed_render(reg, out)
        files = count(out, "pdf") + count(out, "docx")
        batch[n] = (wall, rss, files)
        say(f"| {n} | {reg.stat().st_size // 1024} KB | {files} | {wall:.2f} s | "
            f"{wall / n * 1000:.0f} ms | {wall / files * 1000:.1f} ms | {cpu:.1f} s | "
            f"{rss:.0f} MB |")
        print(lines[-1], flush=True)

    # Incremental: the same folder again, unchanged, then with one agreement edited.
    say("\n## Rendering again (only what changed)\n")
    say("The folder of the full render above, rendered again: with the register unchanged, "
        "and with one agreement's company renamed (`synth N FILE --edit-one`: its 9 "
        "documents change). Targets (#13): at most 5 % of the full render.\n")
    say("| N agreements | full render | unchanged rerun | share | one agreement edited | share |")
    say("|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        if n < 100:
            continue
        reg, out = work / f"reg{n}.xlsx", work / f"out{n}"
        again = timed_rerender(reg, out)
        edited = work / f"reg{n}-edited.xlsx"
        run([str(SYNTH), str(n), str(edited), "--edit-one"])
        one = timed_rerender(edited, out)
        full = batch[n][0]
        say(f"| {n} | {full:.2f} s | {again:.2f} s | {again / full * 100:.1f} % | "
            f"{one:.2f} s | {one / full * 100:.1f} % |")
        print(lines[-1], flush=True)

    # One agreement as a fresh process, several times.
    reg1 = work / "reg1.xlsx"
    if 1 not in ns:
        run([str(SYNTH), "1", str(reg1)])
    walls = [timed_render(reg1, work / "fresh1")[0] for _ in range(7)]
    files1 = count(work / "fresh1", "pdf") + count(work / "fresh1", "docx")
    say(f"\nOne agreement's full set ({files1} files) as a fresh process, 7 runs: median "
        f"{statistics.median(walls) * 1000:.0f} ms, min {min(walls) * 1000:.0f} ms, "
        f"max {max(walls) * 1000:.0f} ms.\n")

    # 2. Per format and per kind, N=100.
    reg100 = work / "reg100.xlsx"
    if 100 not in ns:
        run([str(SYNTH), "100", str(reg100)])
    say("## Per format and per document kind (N = 100, one format at a time)\n")
    say("| documents | files | wall time | per file | peak RSS |")
    say("|---|---:|---:|---:|---:|")
    per_kind_pdf = {}
    for label, extra, ext in [("all, DOCX only", ["--format", "docx"], "docx"),
                              ("all, PDF only", ["--format", "pdf"], "pdf")] + \
            [(f"{k}, PDF only", ["--format", "pdf", "--docs", k], "pdf") for k in KINDS]:
        out = work / "outfmt"
        wall, rss, _ = timed_render(reg100, out, extra)
        files = count(out, ext)
        if "--docs" in extra:
            per_kind_pdf[extra[-1]] = wall / files
        say(f"| {label} | {files} | {wall:.2f} s | {wall / files * 1000:.1f} ms | {rss:.0f} MB |")
        print(lines[-1], flush=True)

    # 3. LibreOffice on the same DOCX files.
    if lo:
        say("\n## Against LibreOffice (`soffice --headless --convert-to pdf`)\n")
        say("The same DOCX files kyotei wrote, converted by LibreOffice: each file in a fresh "
            "process (what a user does with one document), and all of them in one process "
            "(LibreOffice's best case). kyotei's time per PDF is its batch time for that kind "
            "of document (N = 100, PDF only, above), which includes reading the register.\n")
        profile = work / "lo-profile"
        out1 = work / "out1" if 1 in ns else work / "fresh1"
        sample = sorted(p for p in out1.rglob("*.docx") if "履歴" not in p.parts)
        out100 = work / "out100"
        if not out100.exists():
            timed_render(reg100, out100)
        agreements = sorted(p for p in out100.iterdir() if p.is_dir())[: args.lo_sample]
        sample += sorted(p for a in agreements for p in a.glob("*.docx"))
        # Warm-up: the first start creates the profile.
        soffice(sample[:1], work / "lo-warm", profile)
        say("| document | LibreOffice, fresh process | kyotei per PDF | ratio | LibreOffice, one process for all | ratio |")
        say("|---|---:|---:|---:|---:|---:|")
        lo_batch = soffice(sample, work / "lo-batch", profile) / len(sample)
        ratios = []
        for docx in sample:
            lo_one = soffice([docx], work / "lo-one", profile)
            kind = next(k for k in KINDS if k in docx.stem)
            ky = per_kind_pdf[kind]
            ratios.append((lo_one / ky, lo_batch / ky))
            rel = docx.relative_to(docx.parent.parent.parent)
            say(f"| {rel} | {lo_one:.2f} s | {ky * 1000:.1f} ms | {lo_one / ky:.0f}× | "
                f"{lo_batch:.2f} s | {lo_batch / ky:.0f}× |")
            print(lines[-1], flush=True)
        say(f"\n{len(sample)} documents: ratio against a fresh LibreOffice min "
            f"{min(r[0] for r in ratios):.0f}×, median {statistics.median(r[0] for r in ratios):.0f}×; "
            f"against LibreOffice converting all of them in one process min "
            f"{min(r[1] for r in ratios):.0f}×, median {statistics.median(r[1] for r in ratios):.0f}×.")

    say("")
    report_rows(work, report_ns, lines)
    say("")
    compare_rows(work, lines)
    collect_rows(work, 1000, 50, lines)

    say(f"\nLoad average at the end (1, 5, 15 min): {' '.join(open('/proc/loadavg').read().split()[:3])}.")
    text = "\n".join(lines) + "\n"
    # The analysis written by hand below the figures is kept across runs.
    results = pathlib.Path(args.results)
    old = results.read_text() if results.exists() else ""
    if ANALYSIS in old:
        text += "\n" + old[old.index(ANALYSIS):]
    results.write_text(text)
    print(f"\n→ {args.results}")


if __name__ == "__main__":
    main()
