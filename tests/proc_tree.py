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
