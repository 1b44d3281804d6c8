"""axe-core run inside the page under test: the accessibility rules the browser tests assert."""

import json
import os
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
FAILING_IMPACTS = ("critical", "serious")

RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def violations(page) -> list[dict]:
    """Every axe violation on the page as it is now (any impact)."""
    # Evaluated through the DevTools protocol, so a Content-Security-Policy does not apply.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {AXE_SOURCE}\n }}")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            raise RuntimeError("axe-core did not load")
    return page.evaluate(RUN_AXE)


def describe(found: list[dict]) -> str:
    return "\n".join(
        f"  {v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'][:6])}"
        + (f" and {len(v['nodes']) - 6} more" if len(v["nodes"]) > 6 else "")
        for v in found
    )


def record(where: str, found: list[dict]) -> None:
    """With AXE_COUNTS=path, append this page's counts by impact (for before/after notes)."""
    path = os.environ.get("AXE_COUNTS")
    if not path:
        return
    counts = {}
    for v in found:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    with open(path, "a") as out:
        out.write(json.dumps({"page": where, "counts": counts, "rules": [v["id"] for v in found]}))
        out.write("\n")


def assert_accessible(page, where: str) -> None:
    """No critical or serious axe violation; the message names each rule and element."""
    found = violations(page)
    record(where, found)
    failing = [v for v in found if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe found on {where}:\n{describe(failing)}"
