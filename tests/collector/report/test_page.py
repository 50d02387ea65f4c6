"""The page as a file: values from AWS stay data (escaped JSON, never markup), no secret is in it, and it
needs nothing outside itself."""

from __future__ import annotations

import json
import re

import pytest

from collector.report import page
from collector.report.model import build_report
from tests.collector.report import sample
from tests.collector.report.browser import parse


@pytest.fixture(scope="module")
def html() -> str:
    return page.render(build_report(sample.inventory(), generated_from="inv<b>.sqlite"))


def test_json_for_script_escapes_everything_that_could_end_the_element() -> None:
    text = page.json_for_script({"v": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"v": "</script><!-- & \u2028"}


def test_hostile_values_are_only_in_the_escaped_data_block(html: str) -> None:
    assert sample.HOSTILE not in html
    assert "<img" not in html and "onerror=" not in html.replace("onerror=\\", "")  # only as JSON text
    elements = parse(html)
    scripts = [e for e in elements if e.tag == "script"]
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
    data = json.loads(scripts[0].text)
    expected = page.page_data(build_report(sample.inventory(), generated_from="inv<b>.sqlite"))
    assert data == json.loads(json.dumps(expected))
    assert f"Put{sample.HOSTILE}" in {row[3] for row in data["events"]["rows"]}  # intact as data
    assert not [e for e in elements if e.tag in ("img", "b", "iframe")]
    assert "inv&lt;b&gt;.sqlite" in html  # the file name in the title, escaped


def test_no_secret_is_in_the_page(html: str) -> None:
    for secret in (
        sample.EXTERNAL_ID,
        sample.KEY_ID,
        sample.SECRET_KEY,
        sample.SESSION_TOKEN,
        "ASIATEMPORARYKEY1234",
    ):
        assert secret not in html
    assert "…MPLE" in html  # the key's last four characters are what identifies it


def test_the_page_loads_nothing_and_runs_only_its_own_script(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    script = parse(html)[-1]
    assert script.tag == "script"
    assert page._sha256(script.text) in policy  # the inlined script, byte for byte, is the one allowed
    assert "unsafe-inline" not in policy


def test_a_static_file_that_would_close_its_element_is_refused() -> None:
    with pytest.raises(ValueError, match="would close"):
        page.inlinable("report.js", "const x = '</SCRIPT>';")
    assert page.inlinable("report.js", "const x = 1 < 2;") == "const x = 1 < 2;"
