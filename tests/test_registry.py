"""The registry is complete and self-describing; the README documents every CLI command."""
from __future__ import annotations

import re

from conftest import ROOT
from metrics.cli import build_parser
from metrics.registry import DIRECTIONS, METRICS, REGISTRY, SOURCES, UNITS

REQUIRED = {
    "cases_received", "cases_closed", "case_completion_rate", "case_ontime_rate", "case_median_days",
    "case_mean_days", "case_satisfaction_rate", "cases_per_1k_residents", "cases_open_overdue", "case_data_issues",
    "volunteer_activities", "volunteer_hours", "volunteer_person_times", "volunteer_beneficiaries",
    "volunteer_hours_per_1k_residents", "wishes_collected", "wishes_claimed", "wishes_fulfilled", "wish_claim_rate",
    "wish_fulfilment_rate", "wish_median_days", "task_completion_rate", "tasks_on_target_rate",
}


def test_every_required_indicator_is_declared_once():
    assert REQUIRED <= set(REGISTRY)
    assert len(REGISTRY) == len(METRICS)


def test_every_indicator_is_fully_described():
    for m in METRICS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m.id), m.id
        assert m.zh and m.en and m.desc_zh and m.desc_en, m.id
        assert m.unit in UNITS and m.direction in DIRECTIONS and m.table in SOURCES, m.id
        assert (m.expr is None) != (m.num is None), f"{m.id}: either an aggregate or a ratio"
        assert (m.den is not None) == (m.is_ratio and not m.per_1k), m.id
        assert m.unit != "ratio" or m.is_ratio, f"{m.id}: rates are declared as numerator and denominator"


def test_readme_documents_every_cli_command_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert f"`{name}" in readme, name
        for action in command._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"{name} {flag}"
