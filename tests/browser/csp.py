"""Content-Security-Policy violations seen by the page, for every browser test.

Chromium reports a blocked script, style, eval or frame as a
``securitypolicyviolation`` event (and a console error). A listener installed
before any page script runs records them in the page, so a test can assert
there were none without consuming the browser log other checks read.
"""

_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    (e.sourceFile ? ' (' + e.sourceFile + ':' + e.lineNumber + ')' : ''));
});
"""


def watch_csp(driver):
    """Record CSP violations on every page `driver` loads from now on."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORDER})


def csp_violations(driver):
    """The violations the current page has reported so far (empty when none)."""
    return driver.execute_script("return window.__cspViolations || ['CSP recorder missing'];")
