"""axe-core on a Playwright page: the copy bundled by the `axe-playwright-python` package (PyPI, pinned in
constraints.txt; axe-core itself is MPL-2.0), injected into the page, so no CDN and no npm step."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
BLOCKING = ("serious", "critical")


def serious_violations(page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one readable line each."""
    results = _AXE.run(page, options={"resultTypes": ["violations"]}).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = "; ".join(
            f"{' '.join(node['target'])} ({node.get('failureSummary', '').splitlines()[-1].strip()})"
            for node in violation["nodes"][:5]
        )
        lines.append(f"{where}: {violation['id']} [{violation['impact']}] {violation['help']} → {nodes}")
    return lines
