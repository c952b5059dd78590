"""Every browser test: axe-core and CSP checks on every page it reaches."""
import pytest

from . import page_checks


@pytest.fixture(autouse=True)
def page_problems():
    checks = page_checks.PageChecks()
    page_checks.CHECKS = checks
    yield checks
    page_checks.CHECKS = None
    assert checks.audited, "no page was audited with axe-core"
    assert not checks.problems, "\n".join(checks.problems)
