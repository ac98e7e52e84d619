"""/api/docs: Swagger UI, served from this site, shows every resource's operations
under the app's strict CSP (a violation is a console error, which fails the test)."""

import pytest

from backend.settings import APP_NAME
from tests.sample_app import RESOURCES

pytestmark = pytest.mark.browser


def test_the_api_docs_show_every_resource_with_no_csp_violation(new_page):
    page = new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))

    page.goto("/api/docs")

    for resource in RESOURCES:
        operation = page.locator(f'.opblock-summary-path[data-path="/api/{resource.name}"]')
        operation.first.wait_for()
    assert page.title() == f"API - {APP_NAME}"
    assert violations == []
