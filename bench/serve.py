#!/usr/bin/env python3
"""The benchmark of `kyotei serve` (bench/run.sh --serve, after the release build):

1. time to first page: from starting `kyotei serve` on a synthetic register of N agreements
   to the first complete answer of `/` (the register read and checked, the engine loaded);
2. page times: `/`, an agreement's page, `/schedule`, median of 20 requests each;
3. page time after a save: the register saved as Excel does (a temporary file renamed over
   it) with one agreement's company renamed, to the pulse of the new reading (`/events`) and
   to `/` showing the new name;
4. load: C clients reading pages and downloading documents for S seconds while two renders
   (drafts, then finals, of every agreement) are requested: requests, latency percentiles,
   5xx count, the slowest request, how long the renders took.

Prints a Markdown table. Everything talks to 127.0.0.1 only and stops by itself.
"""

import argparse
import http.client
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"


def request(port, method, path, body=None, headers=None, timeout=60):
    """(status, body bytes, seconds)."""
    h = {"Host": f"127.0.0.1:{port}"}
    if method == "POST":
        h["Origin"] = f"http://127.0.0.1:{port}"
        h["Content-Type"] = "application/x-www-form-urlencoded"
    h.update(headers or {})
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, time.perf_counter() - t0


def start(binary, register, out):
    p = subprocess.Popen(
        [str(binary), "serve", str(register), "-o", str(out), "--as-of", AS_OF,
         "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    t0 = time.perf_counter()
    port = None
    for line in p.stdout:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("kyotei serve did not start")
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    while True:
        try:
            status, _, _ = request(port, "GET", "/")
            if status == 200:
                break
        except OSError:
            time.sleep(0.01)
    return p, port, time.perf_counter() - t0


def wait_job(port, limit=1800):
    t0 = time.time()
    while time.time() - t0 < limit:
        job = json.loads(request(port, "GET", "/job")[1] or b"null")
        if job and not job["running"]:
            return job
        time.sleep(0.1)
    sys.exit("the render did not end")


def median_ms(port, path, n=20):
    return statistics.median(request(port, "GET", path)[2] for _ in range(n)) * 1000


def after_save(port, register, edited, name):
    """Seconds from the save to the pulse of the new reading, and to `/` showing `name`."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/events", headers={"Host": f"127.0.0.1:{port}"})
    r = c.getresponse()
    first = None

    def register_version(line):
        return json.loads(line[len("data:"):])["register"]

    while first is None:
        line = r.fp.readline().decode()
        if line.startswith("data:"):
            first = register_version(line)
    tmp = register.with_name("~$" + register.name + ".tmp")
    shutil.copy(edited, tmp)
    t0 = time.perf_counter()
    os.replace(tmp, register)
    pulse = None
    while pulse is None:
        line = r.fp.readline().decode()
        if line.startswith("data:") and register_version(line) > first:
            pulse = time.perf_counter() - t0
    c.close()
    while name.encode() not in request(port, "GET", "/")[1]:
        time.sleep(0.02)
    return pulse, time.perf_counter() - t0


def load(port, clients, seconds, files):
    pages = ["/", "/agreements/R8-0001", "/schedule?months=12", "/report", "/check",
             "/static/style.css", "/job"]
    seen = []
    lock = threading.Lock()
    stop = time.time() + seconds

    def client(i):
        n, mine = i, []
        while time.time() < stop:
            path = files[n % len(files)] if n % 3 == 0 else pages[n % len(pages)]
            status, _, dt = request(port, "GET", path)
            mine.append((path, status, dt))
            n += 7
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(1)
    renders = []
    for mode in ("draft", "final"):
        t0 = time.perf_counter()
        assert request(port, "POST", "/render", body=f"mode={mode}")[0] == 303
        wait_job(port)
        renders.append(time.perf_counter() - t0)
    for t in threads:
        t.join()
    lat = sorted(dt for _, _, dt in seen)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    return {
        "requests": len(seen),
        "p50": q(0.5), "p99": q(0.99), "max": lat[-1] * 1000,
        "5xx": sum(1 for _, s, _ in seen if s >= 500),
        "non200": sum(1 for _, s, _ in seen if s != 200),
        "slowest": max(seen, key=lambda x: x[2])[0],
        "renders": renders,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", default="100,1000")
    ap.add_argument("--work", default="/tmp/kyotei-bench-serve")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--load-n", type=int, default=100,
                    help="the register size of the load test")
    ap.add_argument("--bin", default=str(ROOT / "target/release/kyotei"))
    ap.add_argument("--synth", default=str(ROOT / "target/release/examples/synth"))
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"`kyotei serve`, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| N | first page | `/` | agreement page | `/schedule` | save → pulse | save → `/` shows it |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in [int(x) for x in a.ns.split(",")]:
        reg, edited = work / f"reg{n}.xlsx", work / f"reg{n}-edited.xlsx"
        subprocess.run([a.synth, str(n), str(reg)], check=True, capture_output=True)
        subprocess.run([a.synth, str(n), str(edited), "--edit-one"], check=True,
                       capture_output=True)
        p, port, first = start(a.bin, reg, work / f"out{n}")
        try:
            index = median_ms(port, "/")
            agreement = median_ms(port, "/agreements/R8-0001")
            schedule = median_ms(port, "/schedule?months=12")
            pulse, shown = after_save(port, reg, edited, "（名称変更）")
            print(f"| {n:,} | {first:.2f} s | {index:.1f} ms | {agreement:.1f} ms | "
                  f"{schedule:.1f} ms | {pulse:.2f} s | {shown:.2f} s |")
        finally:
            p.kill()
            p.wait()
    n = a.load_n
    reg = work / f"load{n}.xlsx"
    subprocess.run([a.synth, str(n), str(reg)], check=True, capture_output=True)
    p, port, _ = start(a.bin, reg, work / "load-out")
    try:
        assert request(port, "POST", "/agreements/R8-0001/render", body="mode=final")[0] == 303
        wait_job(port)
        page = request(port, "GET", "/agreements/R8-0001")[1].decode()
        files = [h.replace("&#x2f;", "/") for h in re.findall(r'href="(&#x2f;files[^"]+)"', page)]
        r = load(port, a.clients, a.seconds, files)
    finally:
        p.kill()
        p.wait()
    print(f"\nLoad, N = {n:,}: {a.clients} clients for {a.seconds} s (pages and documents) while "
          f"two renders of every agreement ran (drafts {r['renders'][0]:.1f} s, finals "
          f"{r['renders'][1]:.1f} s): {r['requests']:,} requests, median {r['p50']:.1f} ms, "
          f"99th percentile {r['p99']:.1f} ms, slowest {r['max']:.0f} ms ({r['slowest']}), "
          f"{r['5xx']} answers 5xx, {r['non200']} other than 200.")


if __name__ == "__main__":
    main()
