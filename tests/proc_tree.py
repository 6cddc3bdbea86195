"""The processes below a process, read from /proc (RQ's work horse, the PDF fork server and its
workers are grandchildren, which psutil-free code cannot otherwise list): for the worker tests,
which kill a whole tree, and the certificate bench, which reads their peak memory."""

from __future__ import annotations

import os


def descendants(root: int) -> set[int]:
    """Every process below `root`."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time the processes have used so far (those gone since are not counted)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, all processes), from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait
