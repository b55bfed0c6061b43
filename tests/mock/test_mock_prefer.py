"""`Prefer: code=...` / `Prefer: example=...`: a documented answer on request, over real HTTP to the mock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import DEFAULT_SPEC_PATH, load_contract, read_document

CONTRACT = load_contract()
DOCUMENTED = sorted(code for code in CONTRACT.responses if code.isdigit())
TOKEN = {"X-Auth-Token": DEMO.token}
UNKNOWN_CLUSTER = "00000000-0000-4000-8000-000000000000"


def media(code: str) -> dict[str, Any]:
    content: dict[str, Any] = CONTRACT.responses[code]["content"]["application/json"]
    return content


def documented_example(code: str) -> Any:
    """The example the spec gives a status: its unnamed `example`, else its first named one."""
    found = media(code)
    if "example" in found:
        return found["example"]
    return next(iter(found["examples"].values()))["value"]


def ask(http: httpx.Client, prefer: str, path: str = records_path(), **headers: str) -> httpx.Response:
    return http.get(path, headers={"Prefer": prefer, **headers})


def assert_problem(response: httpx.Response, *named: str) -> None:
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] == "Not Found"
    for text in named:
        assert text in problem["detail"]


def test_the_spec_documents_the_statuses_these_tests_rely_on() -> None:
    assert {"200", "401", "403", "429", "503"} <= set(DOCUMENTED)


@pytest.mark.parametrize("code", DOCUMENTED)
def test_each_documented_status_answers_its_documented_example(client: httpx.Client, code: str) -> None:
    response = ask(client, f"code={code}")
    assert response.status_code == int(code)
    assert response.headers["content-type"] == "application/json"
    assert response.json() == documented_example(code)
    assert OAS30Validator(CONTRACT.response_schemas[code]).is_valid(response.json())
    assert len(response.headers["x-request-id"]) == 32


def test_the_429_carries_the_documented_retry_after(client: httpx.Client) -> None:
    response = ask(client, "code=429")
    assert response.headers["retry-after"] == str(
        CONTRACT.responses["429"]["headers"]["Retry-After"]["example"]
    )


@pytest.mark.parametrize(
    ("prefer", "code", "name"),
    [
        ("example=UnknownCluster", "400", "UnknownCluster"),
        ("code=400, example=InvalidParameter", "400", "InvalidParameter"),
        ('example="QuerySucceeded"', "200", "QuerySucceeded"),
        ("code=400; x=1, example=UnknownCluster, dynamic=true", "400", "UnknownCluster"),
    ],
)
def test_a_named_example_is_answered(client: httpx.Client, prefer: str, code: str, name: str) -> None:
    response = ask(client, prefer)
    assert response.status_code == int(code)
    assert response.json() == media(code)["examples"][name]["value"]


def test_the_401_is_answered_without_credentials(mock_url: str) -> None:
    response = httpx.get(mock_url + records_path(), headers={"Prefer": "code=401"})
    assert response.status_code == 401
    assert response.json() == documented_example("401")


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": "not-a-token"}])
def test_any_other_preference_still_needs_credentials(mock_url: str, headers: dict[str, str]) -> None:
    response = httpx.get(mock_url + records_path(), headers={"Prefer": "code=503", **headers})
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"
    assert response.json() != documented_example("401")


def test_another_projects_token_gets_the_normal_403(mock_url: str) -> None:
    headers = {"Prefer": "code=503", "X-Auth-Token": DEMO.other_token}
    response = httpx.get(mock_url + records_path(), headers=headers)
    assert response.status_code == 403
    assert "grant access to project" in response.json()["error_msg"]


def test_a_broken_parameter_gets_the_normal_400(client: httpx.Client) -> None:
    response = ask(client, "code=503", records_path() + "?limit=0")
    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("Invalid parameter limit")


def test_the_preferred_answer_replaces_the_services_own(client: httpx.Client) -> None:
    response = ask(client, "code=503", records_path(cluster_id=UNKNOWN_CLUSTER))
    assert response.status_code == 503
    assert response.json() == documented_example("503")


@pytest.mark.parametrize(
    ("prefer", "named"),
    [
        ("code=418", ["code=418", "ask for one of " + ", ".join(DOCUMENTED)]),
        ("code=five", ["code=five"]),
        ("example=Nope", ["example=Nope", "UnknownCluster (400)", "QuerySucceeded (200)"]),
        ("code=401, example=UnknownCluster", ["example=UnknownCluster", "401 response"]),
    ],
)
def test_an_undocumented_status_or_example_is_prisms_404(
    mock_url: str, prefer: str, named: list[str]
) -> None:
    # Reported before authentication: it is a mistake in the test, whatever the credentials.
    assert_problem(httpx.get(mock_url + records_path(), headers={"Prefer": prefer}), *named)


def test_other_preferences_are_ignored(client: httpx.Client) -> None:
    plain = client.get(records_path()).json()
    response = ask(client, "return=minimal, wait=5")
    assert response.status_code == 200
    assert response.json() == plain and "count" in plain


def test_the_docs_example_test_passes_as_printed(tmp_path: Path) -> None:
    """docs/testing-your-code.md's example asks the dws_mock fixture's mock for a 503: run it with pytest."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "testing-your-code.md").read_text(encoding="utf-8")
    section = page.split("\n### Asking the mock for an error\n")[1]
    example = section.split("```python\n")[1].split("```")[0]
    assert 'Prefer": "code=503"' in example
    (tmp_path / "test_docs_example.py").write_text(example, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_answers_follow_an_edited_spec(tmp_path: Path) -> None:
    document = read_document(DEFAULT_SPEC_PATH)
    responses = document["components"]["responses"]
    unavailable = responses["ServiceUnavailable"]["content"]["application/json"]
    unavailable["examples"] = {"UnknownCluster": {"value": {"error_code": "DWS.0005", "error_msg": "Busy."}}}
    del unavailable["example"]
    del responses["InternalServerError"]["content"]["application/json"]["example"]
    operation = next(iter(document["paths"].values()))["get"]
    operation["responses"]["409"] = {"description": "Conflict, without a body."}
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with (
        running_mock(MockConfig(spec_path=spec, log_level="warning")) as url,
        httpx.Client(base_url=url, headers=TOKEN, timeout=10) as http,
    ):
        assert_problem(ask(http, "example=UnknownCluster"), "400, 503", "add code=STATUS")
        assert ask(http, "code=503, example=UnknownCluster").json()["error_msg"] == "Busy."
        assert ask(http, "code=503").json()["error_msg"] == "Busy."
        assert_problem(ask(http, "code=500"), "500 response documents no example")
        empty = ask(http, "code=409")
    assert empty.status_code == 409
    assert empty.content == b""
