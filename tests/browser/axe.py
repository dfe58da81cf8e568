"""Run axe-core (vendored in assets/, MPL-2.0) on a Playwright page.

The script goes in through the DevTools protocol, which the page's content security policy
does not govern, so no test needs `bypass_csp` and a CSP violation still fails the test.
"""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """Return the axe violations of ``impacts`` on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return [v for v in page.evaluate(_RUN) if v["impact"] in impacts]


def describe(url: str, violations: list[dict]) -> list[str]:
    """One readable line per violation (and its first nodes) for a test failure."""
    lines = []
    for violation in violations:
        lines.append(f"{url}: [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines += [f"    {node}" for node in violation["nodes"]]
    return lines
