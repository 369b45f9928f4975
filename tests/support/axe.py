"""axe-core in the browser tests: run it on a page or a frame and say what to fix.

axe-core is vendored for the tests only (tests/browser/vendor/axe-core/);
Leadgate never serves it. It is evaluated in the document rather than added
as a <script>: the form's Content-Security-Policy refuses inline scripts, and
the check should see the page under the policy visitors get.
"""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parents[1] / "browser" / "vendor" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds the target size), and
# axe's best practices (landmarks, one h1, no empty headings...).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(frame, tags=tuple(WCAG_AA)) -> list[dict]:
    """Run axe-core on the document of `frame` (a Playwright Page or Frame);
    return its violations (empty when it found none)."""
    if not frame.evaluate("typeof window.axe === 'object'"):
        frame.evaluate(_axe_source())
    results = frame.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags)
    )
    return results["violations"]


def explain(violations: list[dict]) -> str:
    """Each violation's rule, impact, help and the elements it found, one per line."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    at {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)
