"""The page checks themselves: a page with a serious accessibility fault or a CSP refusal is caught."""


def test_a_serious_violation_and_a_csp_refusal_are_reported(phone, page_problems):
    bad = ('<!doctype html><html lang="en"><head><title>Bad</title>'
           '<meta http-equiv="Content-Security-Policy" content="script-src \'self\'"></head>'
           '<body><main><button></button><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
           '<script>document.title = "inline ran"</script></main></body></html>')
    phone.route("http://checks.test/", lambda route: route.fulfill(body=bad, content_type="text/html"))
    page = phone.new_page()
    page.goto("http://checks.test/")
    # The audit runs from the page's load event, which Playwright delivers while the test waits.
    for _ in range(100):
        if page_problems.audited:
            break
        page.wait_for_timeout(50)
    found = list(page_problems.problems)
    page_problems.problems.clear()  # seen on purpose: the test passes when they were caught
    assert any("button-name (critical)" in p for p in found), found
    assert any("image-alt (critical)" in p for p in found), found
    assert any("CSP refused" in p for p in found), found
