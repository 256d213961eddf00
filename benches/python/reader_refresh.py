"""Python's `reader` library (PyPI) refreshing the benchmark's feed farm, for a side-by-side
ratio with Mercury (BENCHMARKS.md). Run by `benches/refresh.rs --python-reader`; alone:

    python3 benches/python/reader_refresh.py URLS_FILE DB_PATH WORKERS

Prints one line of JSON: the wall time of `update_feeds` (cold: every feed new), the process's
CPU time (user + sys, all threads) over the same span, peak RSS and the entries stored.
"""

import json
import resource
import sys
import time

from reader import make_reader


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    urls_file, db_path, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(urls_file) as f:
        urls = [line.strip() for line in f if line.strip()]
    reader = make_reader(db_path)
    for url in urls:
        reader.add_feed(url)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    reader.update_feeds(workers=workers)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    entries = reader.get_entry_counts().total
    reader.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_mb": peak_mb, "entries": entries}))


if __name__ == "__main__":
    main()
