"""axe-core in the page under test: the WCAG 2.1 A and AA rules, violations only."""
from __future__ import annotations

import json

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Every rule of those levels runs on every element. ``resultTypes`` only spares axe the CSS
#: selector of every element that *passed* (one per rule is kept): on a results page with
#: 2,000 elements that bookkeeping took a third of the run, and no test reads passes.
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

#: axe-core 4.12 as bundled by axe-playwright-python.
AXE_SCRIPT = Axe().axe_script


def violations(page) -> list[tuple[str, list]]:
    """The rule and first element of each violation on ``page``; ``[]`` when there is none.

    The first check in a browser context loads axe into the page and into every page the context
    opens after it (an init script: the browser keeps it compiled, where sending it with each
    check cost a tenth of a second). Pages keep their Content Security Policy: scripts that the
    test tool adds are exempt from it."""
    if not page.evaluate("typeof axe === 'object'"):
        page.context.add_init_script(AXE_SCRIPT)
        page.evaluate(AXE_SCRIPT)
    found = page.evaluate(f"axe.run({json.dumps(OPTIONS)})")["violations"]
    return [(violation["id"], violation["nodes"][0]["target"]) for violation in found]
