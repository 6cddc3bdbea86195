"""The tile map of Indonesia's 38 provinces: a fixed grid cell per province code, roughly west to
east (Sumatra, Java, Kalimantan, Bali–Nusa Tenggara, Sulawesi, Maluku, Papua)."""

from __future__ import annotations

from dataclasses import dataclass

# code: (column, row)
GRID: dict[str, tuple[int, int]] = {
    "11": (0, 0), "12": (1, 1), "14": (2, 1), "21": (3, 1),
    "13": (1, 2), "15": (2, 2), "19": (3, 2),
    "17": (2, 3), "16": (3, 3), "18": (3, 4),
    "31": (5, 4), "36": (4, 5), "32": (5, 5), "33": (6, 5), "34": (6, 6), "35": (7, 5),
    "51": (8, 6), "52": (9, 6), "53": (10, 6),
    "65": (7, 1), "61": (5, 2), "64": (7, 2), "62": (6, 3), "63": (7, 3),
    "75": (10, 1), "71": (11, 1), "76": (8, 2), "72": (9, 2), "73": (8, 3), "74": (9, 3),
    "82": (12, 1), "81": (12, 3),
    "96": (13, 2), "92": (14, 2), "91": (15, 2), "94": (14, 3), "95": (15, 3), "93": (15, 4),
}  # fmt: skip
COLUMNS, ROWS = 16, 7
CELL = 44  # SVG units per tile; the map scrolls sideways on a phone rather than shrink its labels
# The short names people use (a tile is too small for "Kepulauan Bangka Belitung"); the full name is
# in each tile's tooltip and in the table beside the map.
SHORT: dict[str, str] = {
    "11": "Aceh", "12": "Sumut", "13": "Sumbar", "14": "Riau", "15": "Jambi", "16": "Sumsel",
    "17": "Bengkulu", "18": "Lampung", "19": "Babel", "21": "Kepri", "31": "DKI", "32": "Jabar",
    "33": "Jateng", "34": "DIY", "35": "Jatim", "36": "Banten", "51": "Bali", "52": "NTB", "53": "NTT",
    "61": "Kalbar", "62": "Kalteng", "63": "Kalsel", "64": "Kaltim", "65": "Kaltara", "71": "Sulut",
    "72": "Sulteng", "73": "Sulsel", "74": "Sultra", "75": "Gorontalo", "76": "Sulbar", "81": "Maluku",
    "82": "Malut", "91": "Papua", "92": "Pabar", "93": "Papsel", "94": "Papteng", "95": "Pappeg", "96": "PBD",
}  # fmt: skip
SHADES = 5  # legend steps: 0 (none), then four equal steps up to the largest province


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    short: str
    column: int
    row: int
    value: int
    shade: int  # 0 … SHADES - 1


def shade_of(value: int, largest: int) -> int:
    if value <= 0 or largest <= 0:
        return 0
    return min(SHADES - 1, 1 + (SHADES - 1) * (value - 1) // largest)


def tiles(names: dict[str, str], values: dict[str, int]) -> list[Tile]:
    largest = max(values.values(), default=0)
    return [
        Tile(
            code,
            names.get(code, code),
            SHORT.get(code, code),
            column,
            row,
            values.get(code, 0),
            shade_of(values.get(code, 0), largest),
        )
        for code, (column, row) in GRID.items()
    ]


def legend(largest: int) -> list[tuple[int, int, int]]:
    """(shade, from, to) of each legend step."""
    steps = [(0, 0, 0)]
    for shade in range(1, SHADES):
        low = (shade - 1) * largest // (SHADES - 1) + 1
        high = shade * largest // (SHADES - 1)
        if high >= low:
            steps.append((shade, low, high))
    return steps
