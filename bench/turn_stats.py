#!/usr/bin/env python3
"""Helpers of bench/load.sh (Python 3 standard library only).

  turn_stats.py create   --url URL --key PK --n 200 --out ids.txt
  turn_stats.py populate --url URL --key PK --n 10000 --messages 1 [--out ids.txt]
  turn_stats.py send     --url URL --key PK --ids ids.txt --messages 1
  turn_stats.py stats    --url URL --key PK --ids ids.txt [--ids more.txt] [--label NAME]
  turn_stats.py metrics  --url URL --out snapshot.txt
  turn_stats.py hist     BEFORE AFTER [--label NAME]
  turn_stats.py report   RESULTS_DIR

`stats` reads every turn of the given conversations back from the transcript API
(`GET /v1/conversations/{id}`, 500 turns a page) and gives percentiles of `server_us`: the
server's own time per turn, recorded with the turn. That time runs from holding the
conversation's lock to the reply being ready, before the save transaction. `hist` gives the
same turns as seen by the server's Prometheus histogram `comptoir_turn_duration_seconds` (from
holding the lock to after the save), as the difference of two /metrics snapshots, and the
whole request (`comptoir_http_request_duration_seconds` of the messages route: key check, lock
wait, turn, save). Results go to stdout as one `NAME {json}` line each, which `report` reads
back from the files load.sh saved them in.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import datetime

LOCALES = ["en", "fr", "de", "it", "es"]
# The message mix of populate: searches and small talk in five languages, no checkout.
MESSAGES = [
    "hello",
    "I'm looking for a red dress under 80 euros",
    "je cherche des baskets",
    "Haben Sie Rucksäcke?",
    "cerco una giacca",
    "busco auriculares",
    "what are your delivery times?",
    "show me the cart",
]


class Client:
    """One keep-alive connection."""

    def __init__(self, url, key):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.key = key
        self.conn = None

    def call(self, method, path, body=None):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                headers = {"Authorization": f"Bearer {self.key}"}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                return r.status, payload
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def parallel(n_items, threads, work):
    """Runs work(client_index, item) for items 0..n_items-1 on `threads` threads."""
    lock = threading.Lock()
    state = {"next": 0, "error": None}

    def loop(t):
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= n_items or state["error"]:
                return
            try:
                work(t, i)
            except Exception as e:  # noqa: BLE001 - reported and re-raised below
                state["error"] = e
                return

    ts = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if state["error"]:
        raise state["error"]


def create_conversations(args, n):
    clients = [Client(args.url, args.key) for _ in range(args.threads)]
    ids = [None] * n

    def work(t, i):
        st, body = clients[t].call("POST", "/v1/conversations", {"locale": LOCALES[i % 5]})
        if st != 201:
            raise RuntimeError(f"create conversation: HTTP {st} {body[:200]!r}")
        ids[i] = json.loads(body)["id"]

    parallel(n, args.threads, work)
    return ids, clients


def cmd_create(args):
    ids, _ = create_conversations(args, args.n)
    with open(args.out, "w") as f:
        f.write("\n".join(ids) + "\n")
    print(f"created {len(ids)} conversations -> {args.out}", file=sys.stderr)


def cmd_populate(args):
    t0 = time.monotonic()
    ids, clients = create_conversations(args, args.n)
    send_messages(args, ids, clients, t0)


def cmd_send(args):
    with open(args.ids) as f:
        ids = [line.strip() for line in f if line.strip()]
    clients = [Client(args.url, args.key) for _ in range(args.threads)]
    send_messages(args, ids, clients, time.monotonic())


def send_messages(args, ids, clients, t0):
    """args.messages messages to each conversation, one conversation's messages in order."""
    t1 = time.monotonic()
    statuses = {}
    lock = threading.Lock()

    def work(t, i):
        cid = ids[i % len(ids)]
        k = i // len(ids)
        text = MESSAGES[(i + k) % len(MESSAGES)]
        st, body = clients[t].call("POST", f"/v1/conversations/{cid}/messages", {"text": text})
        with lock:
            statuses[st] = statuses.get(st, 0) + 1
        if st != 200:
            raise RuntimeError(f"message: HTTP {st} {body[:200]!r}")

    parallel(len(ids) * args.messages, args.threads, work)
    t2 = time.monotonic()
    if getattr(args, "out", None):
        with open(args.out, "w") as f:
            f.write("\n".join(ids) + "\n")
    out = {
        "conversations": len(ids),
        "messages": len(ids) * args.messages,
        "create_s": round(t1 - t0, 2),
        "messages_s": round(t2 - t1, 2),
        "statuses": statuses,
    }
    print("POPULATE " + json.dumps(out))


def pct(sorted_values, q):
    """Nearest-rank percentile of a sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def ms_of(at):
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000


def cmd_stats(args):
    ids = []
    for path in args.ids:
        with open(path) as f:
            ids += [line.strip() for line in f if line.strip()]
    clients = [Client(args.url, args.key) for _ in range(args.threads)]
    per_conv = [None] * len(ids)

    def work(t, i):
        turns, after = [], 0
        while True:
            q = f"?after={after}" if after else ""
            st, body = clients[t].call("GET", f"/v1/conversations/{ids[i]}{q}")
            if st != 200:
                raise RuntimeError(f"transcript {ids[i]}: HTTP {st} {body[:200]!r}")
            page = json.loads(body)
            turns += [(t_["seq"], t_["server_us"], ms_of(t_["at"])) for t_ in page["turns"]]
            if page.get("next_after") is None:
                break
            after = page["next_after"]
        per_conv[i] = turns

    parallel(len(ids), args.threads, work)
    us = sorted(s for turns in per_conv for (_, s, _) in turns)
    # A turn whose work began (its save time minus its own time) within 2 ms of the previous
    # turn of the same conversation being saved most likely waited for that turn on the
    # conversation's lock: the load generator sends a conversation's next message a whole
    # round (hundreds of requests) after its last one otherwise.
    gaps, queued = [], 0
    for turns in per_conv:
        turns.sort()
        for (_, _, prev_at), (_, s, at) in zip(turns, turns[1:]):
            gap = (at - s / 1000) - prev_at
            gaps.append(gap)
            if gap < 2:
                queued += 1
    gaps.sort()
    out = {
        "label": args.label,
        "conversations": len(ids),
        "turns": len(us),
        "p50_us": pct(us, 50),
        "p90_us": pct(us, 90),
        "p99_us": pct(us, 99),
        "p999_us": pct(us, 99.9),
        "max_us": us[-1] if us else None,
        "mean_us": round(statistics.fmean(us), 1) if us else None,
        "queued_turns": queued,
        "queued_share": round(queued / len(gaps), 5) if gaps else 0,
        "median_gap_ms": round(pct(gaps, 50), 1) if gaps else None,
    }
    print("STATS " + json.dumps(out))


def cmd_metrics(args):
    u = urllib.parse.urlsplit(args.url)
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
    c.request("GET", "/metrics")
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        raise RuntimeError(f"/metrics: HTTP {r.status}")
    with open(args.out, "wb") as f:
        f.write(body)


BUCKET = re.compile(r'^(\w+)_bucket\{(.*)\}\s+(\S+)$')


def buckets(path, name, want_labels):
    """{le: cumulative count} of one histogram series (labels must include want_labels)."""
    out = {}
    with open(path) as f:
        for line in f:
            m = BUCKET.match(line.strip())
            if not m or m.group(1) != name:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            if any(labels.get(k) != v for k, v in want_labels.items()):
                continue
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            out[le] = out.get(le, 0) + float(m.group(3))
    return out


def quantile(cum, q):
    """(lower, upper] bucket bounds holding quantile q, and the linear estimate inside it."""
    les = sorted(cum)
    total = cum[les[-1]] if les else 0
    if total <= 0:
        return None
    rank = q * total
    lo, lo_n = 0.0, 0.0
    for le in les:
        if cum[le] >= rank:
            if le == float("inf"):
                return (lo, le, lo)
            est = lo + (le - lo) * ((rank - lo_n) / max(cum[le] - lo_n, 1e-9))
            return (lo, le, est)
        lo, lo_n = le, cum[le]
    return None


def cmd_hist(args):
    result = {"label": args.label}
    series = {
        "turn": ("comptoir_turn_duration_seconds", {}),
        "request": (
            "comptoir_http_request_duration_seconds",
            {"route": "/v1/conversations/{id}/messages", "status": "200"},
        ),
    }
    for key, (name, labels) in series.items():
        before = buckets(args.before, name, labels)
        after = buckets(args.after, name, labels)
        cum = {le: after[le] - before.get(le, 0) for le in after}
        les = sorted(cum)
        total = cum[les[-1]] if les else 0
        result[key] = {
            "count": total,
            # per-bucket counts, "le" as Prometheus writes it
            "buckets": [
                ["+Inf" if le == float("inf") else f"{le:g}", cum[le] - (cum[les[i - 1]] if i else 0)]
                for i, le in enumerate(les)
            ],
            "p50": quantile(cum, 0.50),
            "p99": quantile(cum, 0.99),
            "p999": quantile(cum, 0.999),
        }
    print("HIST " + json.dumps(result))


def read_lines(path, tag):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            if line.startswith(tag + " "):
                out.append(json.loads(line[len(tag) + 1:]))
    return out


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_ms(us):
    return "-" if us is None else f"{us / 1000:.2f}"


def merged_hist(hists, key):
    """Sums the per-run bucket counts of one series; returns (count, buckets, cumulative)."""
    counts = {}
    for h in hists:
        for le, n in h[key]["buckets"]:
            counts[le] = counts.get(le, 0) + n
    les = sorted(counts, key=lambda le: float("inf") if le == "+Inf" else float(le))
    cum, run = {}, 0
    for le in les:
        run += counts[le]
        cum[float("inf") if le == "+Inf" else float(le)] = run
    return run, [(le, counts[le]) for le in les], cum


def cmd_report(args):
    """The summary of one load.sh run, from the files it left in DIR."""
    d = args.dir
    runs = int(open(os.path.join(d, "runs")).read())
    groups = [g.strip() for g in open(os.path.join(d, "groups")).read().split() if g.strip()]

    def per_run(group, ext, tag):
        return [x for i in range(1, runs + 1) for x in read_lines(os.path.join(d, f"{group}.{i}.{ext}"), tag)]

    def setting(name, default):
        path = os.path.join(d, name)
        return open(path).read().strip() if os.path.exists(path) else default

    convs, conns, light = setting("conversations", "200"), setting("connections", "200"), setting("light", "8")
    titles = {
        "sat": f"saturation: {convs} conversations, {conns} connections, no pause",
        "c8": f"{light} connections over {convs} conversations, no pause",
    }
    print(f"== Conversations under load: medians of {runs} runs (each run in brackets) ==")
    print("client figures are wrk's; server_us is every turn's own time read back from the transcripts;")
    print("histogram = comptoir_turn_duration_seconds (lock held → saved), p ≈ linear inside its bucket")
    print()
    header = f"{'load':<58} {'turns/s':>8} {'client p50':>11} {'client p99':>11} {'server p50':>11} {'server p99':>11} {'server p99.9':>13} {'hist p50':>9} {'hist p99':>9}"
    print(header + "   (ms)")
    summary = {}
    for g in groups:
        w, st, hs = per_run(g, "txt", "WRK"), per_run(g, "stats", "STATS"), per_run(g, "hist", "HIST")
        if not w:
            continue
        title = titles.get(g) or (f"paced: {convs} conv., {conns} conn., ~{g.split('.')[1]} ms pause after each reply"
                                  if g.startswith("paced.") else g)
        count, _, cum = merged_hist(hs, "turn") if hs else (0, [], {})
        hp50 = quantile(cum, 0.5) if count else None
        hp99 = quantile(cum, 0.99) if count else None
        row = {
            "rps": med([x["rps"] for x in w]),
            "c50": med([x["p50_us"] for x in w]),
            "c99": med([x["p99_us"] for x in w]),
            "s50": med([x["p50_us"] for x in st]),
            "s99": med([x["p99_us"] for x in st]),
            "s999": med([x["p999_us"] for x in st]),
        }
        summary[g] = row
        print(f"{title:<58} {row['rps']:>8,.0f} {fmt_ms(row['c50']):>11} {fmt_ms(row['c99']):>11} "
              f"{fmt_ms(row['s50']):>11} {fmt_ms(row['s99']):>11} {fmt_ms(row['s999']):>13} "
              f"{'-' if hp50 is None else f'{hp50[2] * 1000:.2f}':>9} {'-' if hp99 is None else f'{hp99[2] * 1000:.2f}':>9}")
        print(f"{'':<4}runs: turns/s {', '.join(format(x['rps'], ',.0f') for x in w)}; client p99 {', '.join(fmt_ms(x['p99_us']) for x in w)}; "
              f"server p50 {', '.join(fmt_ms(x['p50_us']) for x in st)}; server p99 {', '.join(fmt_ms(x['p99_us']) for x in st)}")
        bad = sum(sum(x["errors"].values()) for x in w)
        other = {}
        for x in w:
            for k, v in x["statuses"].items():
                if k != "200":
                    other[k] = other.get(k, 0) + v
        queued = sum(x["queued_turns"] for x in st)
        turns = sum(x["turns"] for x in st)
        print(f"{'':<4}{turns:,} turns read back; {queued} ({100 * queued / max(turns, 1):.2f}%) queued behind their own "
              f"conversation; failed requests {bad}{'; statuses ' + json.dumps(other) if other else ''}")
        if count:
            _, b, _ = merged_hist(hs, "turn")
            print(f"{'':<4}histogram buckets (le seconds: turns): " + " ".join(f"{le}:{int(n)}" for le, n in b if n))
            rc, rb, rcum = merged_hist(hs, "request")
            rq = quantile(rcum, 0.99) if rc else None
            if rq:
                print(f"{'':<4}whole request (comptoir_http_request_duration_seconds, messages route) p99 ≈ {rq[2] * 1000:.1f} ms")
    health = per_run("healthz", "txt", "WRK")
    sat = per_run("sat", "txt", "WRK")
    if health:
        ratios = [s["rps"] / h["rps"] for s, h in zip(sat, health) if h["rps"]]
        print()
        print(f"GET /healthz, 200 connections: {med([h['rps'] for h in health]):,.0f} req/s "
              f"({', '.join(format(h['rps'], ',.0f') for h in health)}), p99 {fmt_ms(med([h['p99_us'] for h in health]))} ms")
        if ratios:
            print(f"turn throughput / healthz throughput, run by run: {', '.join(f'{r:.4f}' for r in ratios)} "
                  f"(median {med(ratios):.4f} = 1/{1 / med(ratios):.0f})")
    wedged = os.path.join(d, "wedged.txt")
    if os.path.exists(wedged):
        lines = [x.strip() for x in open(wedged) if x.strip()]
        if lines:
            print(f"!! the database stayed write-locked after: {'; '.join(lines)} (server restarted each time)")
    for m in read_lines(os.path.join(d, "memory.txt"), "MEMORY"):
        n = m["conversations"]
        print()
        print(f"memory (fresh server): RSS {m['rss0_kb'] / 1024:.1f} MB after start + warm-up; "
              f"{m['rss1_kb'] / 1024:.1f} MB after {n:,} new conversations with one message each "
              f"(+{(m['rss1_kb'] - m['rss0_kb']) / 1024:.1f} MB = {(m['rss1_kb'] - m['rss0_kb']) * 1024 / n:,.0f} bytes "
              f"per conversation; anonymous memory +{(m['anon1_kb'] - m['anon0_kb']) * 1024 / n:,.0f} bytes); "
              f"{m['rss2_kb'] / 1024:.1f} MB after a second message to each; peak {m['hwm_kb'] / 1024:.1f} MB; "
              f"data directory {m['db0_kb'] / 1024:.1f} → {m['db1_kb'] / 1024:.1f} MB")
    print()
    for g, row in summary.items():
        if g == "c8":
            ok = row["c99"] is not None and row["c99"] <= 10000
            print(f"target client p99 ≤ 10 ms at {light} connections: {fmt_ms(row['c99'])} ms: {'met' if ok else 'NOT MET'}")
        else:
            ok50 = row["s50"] is not None and row["s50"] <= 2000
            ok99 = row["s99"] is not None and row["s99"] <= 10000
            print(f"target server p50 ≤ 2 ms / p99 ≤ 10 ms, {g}: {fmt_ms(row['s50'])} / {fmt_ms(row['s99'])} ms: "
                  f"{'met' if ok50 else 'NOT MET'} / {'met' if ok99 else 'NOT MET'}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--url", required=True)
        sp.add_argument("--key", required=True, help="public (pk_) or secret (sk_) key")
        sp.add_argument("--threads", type=int, default=8)

    sp = sub.add_parser("create")
    common(sp)
    sp.add_argument("--n", type=int, required=True)
    sp.add_argument("--out", required=True)
    sp.set_defaults(f=cmd_create)

    sp = sub.add_parser("populate")
    common(sp)
    sp.add_argument("--n", type=int, required=True)
    sp.add_argument("--messages", type=int, default=1)
    sp.add_argument("--out")
    sp.set_defaults(f=cmd_populate)

    sp = sub.add_parser("send")
    common(sp)
    sp.add_argument("--ids", required=True)
    sp.add_argument("--messages", type=int, default=1)
    sp.set_defaults(f=cmd_send)

    sp = sub.add_parser("stats")
    common(sp)
    sp.add_argument("--ids", action="append", required=True)
    sp.add_argument("--label", default="")
    sp.set_defaults(f=cmd_stats)

    sp = sub.add_parser("metrics")
    sp.add_argument("--url", required=True)
    sp.add_argument("--out", required=True)
    sp.set_defaults(f=cmd_metrics)

    sp = sub.add_parser("hist")
    sp.add_argument("before")
    sp.add_argument("after")
    sp.add_argument("--label", default="")
    sp.set_defaults(f=cmd_hist)

    sp = sub.add_parser("report")
    sp.add_argument("dir")
    sp.set_defaults(f=cmd_report)

    args = p.parse_args()
    args.f(args)


if __name__ == "__main__":
    main()
