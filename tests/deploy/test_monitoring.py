"""The alert rules and the Grafana dashboard under deploy/monitoring.

Every expression is parsed by a PromQL parser (promql-parser, a port of Prometheus's own;
promtool is not installable from the registries this project uses), and every metric it
names must be one the services export: a rule on a misspelt or renamed metric would never
fire, silently.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import promql_parser
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
# Prometheus's own series, which no service defines.
PROMETHEUS_SERIES = {"up"}
# What a counter and a histogram expose beyond their name.
SUFFIXES = ("_total", "_bucket", "_sum", "_count", "_created")


def defined_metric_names() -> set[str]:
    """The `townhall_*` names the services' sources give metrics (string constants)."""
    names: set[str] = set()
    sources = [*ROOT.glob("libs/*/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and re.fullmatch(r"townhall_[a-z0-9_]+", value):
                names.add(value)
    return names


def exported(name: str, defined: set[str]) -> bool:
    if name in defined or name in PROMETHEUS_SERIES:
        return True
    return any(name.endswith(s) and name.removesuffix(s) in defined for s in SUFFIXES)


def metric_names(expression: str) -> list[str]:
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.append(node.name)

    promql_parser.walk(promql_parser.parse(expression), visit)
    return names


def alert_rules() -> list[dict[str, object]]:
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


@pytest.fixture(scope="module")
def defined() -> set[str]:
    names = defined_metric_names()
    assert {"townhall_http_requests_total", "townhall_worker_up"} <= names
    return names


def test_every_alert_is_complete_and_uniquely_named() -> None:
    rules = alert_rules()
    assert len(rules) >= 10
    assert len({r["alert"] for r in rules}) == len(rules)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in {"page", "ticket"}  # type: ignore[index]
        assert rule["annotations"]["summary"]  # type: ignore[index]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", str(rule["for"]))


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_expression_parses_and_names_exported_metrics(source: str, defined: set[str]) -> None:
    if source == "alerts":
        expressions = [str(rule["expr"]) for rule in alert_rules()]
    else:
        expressions = dashboard_expressions()
    assert expressions
    for expression in expressions:
        names = metric_names(expression)
        assert names, expression
        for name in names:
            assert exported(name, defined), (name, expression)


def test_a_misspelt_metric_is_caught(defined: set[str]) -> None:
    # The check above is no tautology: a near miss of a real name fails it.
    (name,) = metric_names("rate(townhall_http_request_total[5m])")
    assert not exported(name, defined)
    with pytest.raises(ValueError):
        promql_parser.parse("sum by (service (rate(townhall_http_requests_total[5m]))")


def test_the_dashboard_panels_have_unique_ids_and_a_datasource_variable() -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}"
