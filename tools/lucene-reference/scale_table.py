#!/usr/bin/env python3
"""Prints the JSON objects of `mrc bench scale --json` and Scale.java as one Markdown table.

usage: scale_table.py RUN.json...   (rows in the order given)
"""
import json
import sys


def main():
    print("| passages | engine | analyzer | search | build s | index MB | peak RSS MB (build) | peak anon MB (build) | 1 thread q/s | p50 ms | p99 ms "
          "| batch q/s (threads) | R@1 | R@k |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path in sys.argv[1:]:
        run = json.load(open(path, encoding="utf-8"))
        for r in run["results"]:
            peak = "–" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"
            anon = "–" if r.get("peak_anon_mb") is None else f"{r['peak_anon_mb']:.0f}"
            print(f"| {r['passages']:,} | {run['engine']} | {run['analyzer']} (k1 {run['k1']:g}, b {run['b']:g}) | {r.get('search', '')} "
                  f"| {r['build_seconds']:.1f} | {r['index_bytes'] / 1048576:.1f} | {peak} | {anon} "
                  f"| {r['single_thread_qps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                  f"| {r['batch_qps']:,.0f} ({run['threads']}) | {r['recall_at1']:.4f} | {r['recall_at_k']:.4f} |")
    first = json.load(open(sys.argv[1], encoding="utf-8")) if len(sys.argv) > 1 else None
    if first:
        print(f"\nk = {first['k']}, {first['questions']} questions, batches of {first['batch_size']}, "
              f"{first['processors']} processors")


if __name__ == "__main__":
    main()
