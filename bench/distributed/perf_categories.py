#!/usr/bin/env python3
"""Where the CPU time of a data-plane run goes, per process, from a perf recording.

    perf record -F 1999 -g -o DATA build-bench/bin/bench_dataplane --runs 1 --modes insecure \
        --compression none --data bytes-rand > out.txt
    python3 bench/distributed/perf_categories.py DATA SENDER_PID RECEIVER_PID [--samples]

(bench_dataplane prints the worker pids; any pids may be given, e.g. of `quokka tpch run`'s
workers. With --samples the cells are sample counts instead of shares.) Every sample of the two worker processes is put in
the first category its call chain matches (kernel frames are reliable with -g; user frames of
the release build are not, so user-space samples are classified by their leaf symbol and
library). Prints a markdown table: the share of each process's samples per category.
"""
import collections
import subprocess
import sys

CATEGORIES = [
    # (name, predicate over (frames, leaf_sym, leaf_dso))
    ("page faults on fresh memory (kernel zeroes and maps pages)",
     lambda f, s, d: any("exc_page_fault" in x for x in f)),
    ("returning memory (munmap / madvise)",
     lambda f, s, d: any(x in ("__x64_sys_munmap", "__x64_sys_madvise", "__x64_sys_mremap",
                               "__x64_sys_brk") for x in f)),
    ("TCP send (sendmsg: copy into socket buffers, loopback)",
     lambda f, s, d: any(x in ("tcp_sendmsg", "__sys_sendmsg") for x in f)),
    ("TCP receive (recvmsg: copy out of socket buffers)",
     lambda f, s, d: any(x in ("tcp_recvmsg", "__sys_recvmsg") for x in f)),
    ("other kernel (scheduling, futex, epoll, interrupts)", lambda f, s, d: d == "[kernel.kallsyms]"),
    ("user memcpy/memmove (copies between buffers)",
     lambda f, s, d: s.startswith("__memmove") or s.startswith("__memcpy")),
    ("user memset", lambda f, s, d: s.startswith("__memset")),
    ("zstd", lambda f, s, d: "zstd" in d),
    ("TLS crypto (libcrypto / libssl)", lambda f, s, d: "libcrypto" in d or "libssl" in d),
    ("malloc / free", lambda f, s, d: "libc.so" in d and any(
        k in s for k in ("malloc", "free", "_int_", "tcache", "arena", "heap", "realloc"))),
    ("gRPC / abseil / protobuf", lambda f, s, d: any(k in d for k in ("grpc", "absl", "gpr", "protobuf", "upb", "address_sorting"))),
    ("msgpack", lambda f, s, d: "msgpack" in d or "msgpack" in s),
    ("quokka code", lambda f, s, d: "quokka" in s or "bench_dataplane" in d),
    ("other user", lambda f, s, d: True),
]


def samples(path):
    """Yields (pid, frames leaf first, leaf symbol, leaf dso)."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "pid,tid,ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    pid, frames, leaf = None, [], None
    for line in out.splitlines() + [""]:
        if not line.strip():
            if pid is not None and leaf is not None:
                yield pid, frames, leaf[0], leaf[1]
            pid, frames, leaf = None, [], None
            continue
        if pid is None:
            pid = int(line.split()[0].split("/")[0])
            continue
        parts = line.split()
        # "ip sym+off (dso)"
        sym = parts[1].split("+")[0] if len(parts) > 1 else "?"
        dso = parts[-1].strip("()") if len(parts) > 2 else "?"
        dso = dso.rsplit("/", 1)[-1]
        if dso == "kernel.kallsyms]" or dso.startswith("kernel.kallsyms"):
            dso = "[kernel.kallsyms]"
        frames.append(sym)
        if leaf is None:
            leaf = (sym, dso)


def main():
    absolute = "--samples" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--samples"]
    path, pids = args[0], [int(p) for p in args[1:]]
    counts = {p: collections.Counter() for p in pids}
    totals = collections.Counter()
    for pid, frames, sym, dso in samples(path):
        if pid not in counts:
            continue
        totals[pid] += 1
        for name, match in CATEGORIES:
            if match(frames, sym, dso):
                counts[pid][name] += 1
                break
    names = ["sender", "receiver"] + [f"pid {p}" for p in pids[2:]]
    print("| category | " + " | ".join(f"{n} (pid {p}, {totals[p]} samples)" for n, p in zip(names, pids)) + " |")
    print("|---|" + "---|" * len(pids))
    for name, _ in CATEGORIES:
        if not any(counts[p][name] for p in pids):
            continue
        cells = [str(counts[p][name]) if absolute else
                 f"{100.0 * counts[p][name] / max(1, totals[p]):.1f}%" for p in pids]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
