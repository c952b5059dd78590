"""Checks run on every page a browser test reaches: axe-core and the Content-Security-Policy.

`watch(context)` attaches to a browser context; every page that finishes
loading in it is audited with axe-core (from the npm registry, installed by
`make vendor`), and any CSP refusal printed to the console is recorded. The
autouse fixture in tests/browser/conftest.py fails the test on a serious or
critical violation or a CSP refusal, naming the page and the element.
"""
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


class PageChecks:
    def __init__(self):
        if not AXE.exists():
            raise RuntimeError(f"axe-core is missing at {AXE}: run `make vendor` (needs npm)")
        self._axe = AXE.read_text()
        self.problems: list[str] = []
        self.audited: list[str] = []
        self._running = False

    def watch(self, context):
        context.on("page", self._attach)
        for page in context.pages:
            self._attach(page)
        return context

    def _attach(self, page):
        page.on("load", self._audit)
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page, msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.problems.append(f"{page.url}: CSP refused something: {msg.text[:300]}")

    def _audit(self, page):
        url = page.url
        if self._running or not url.startswith("http") or url.endswith((".png", ".svg", ".pdf")):
            return  # another page's audit is under way (events nest while Playwright waits)
        self._running = True
        try:
            # Evaluated through the DevTools protocol, which the page's CSP does not govern.
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(self._axe)
            found = page.evaluate(_RUN)
        except PlaywrightError as err:
            if "destroyed" in str(err) or "navigat" in str(err) or "closed" in str(err):
                return  # the test moved on before the page settled; the next page is checked
            raise
        finally:
            self._running = False
        self.audited.append(url)
        for v in found:
            if v["impact"] in FAILING_IMPACTS:
                self.problems.append(f"{url}: axe {v['id']} ({v['impact']}): {v['help']} at {v['targets']}")


CHECKS = None


def current() -> PageChecks:
    return CHECKS
