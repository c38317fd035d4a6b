"""A value YAML recognises but cannot build is a clear error with its line (P-33: bad input).

`due: 2026-13-01`, `!!timestamp nope` and `!!int abc` used to escape as a bare ValueError or
AttributeError from `elearn_load` and `elearn_check_policy`.
"""

import pytest

from elearn_plugin.loading.format import DataFileError, parse_text
from elearn_plugin.policy.loader import parse_policy
from elearn_plugin.policy.schema import PolicyError


@pytest.mark.parametrize(
    ("text", "line", "value"),
    [
        ("units:\n  - {code: a, due: 2026-13-01}\n", 2, "2026-13-01"),
        ("units:\n  - {code: a, name: !!timestamp nope}\n", 2, "nope"),
        ("a: 1\nb: !!int abc\n", 2, "abc"),
        ("a: !!float x1\n", 1, "x1"),
    ],
)
def test_the_data_file_names_the_line_and_the_value(text, line, value):
    with pytest.raises(DataFileError) as refused:
        parse_text(text, "yaml")
    message = str(refused.value)
    assert f"line {line}:" in message and repr(value) in message


def test_the_policy_file_names_the_line():
    with pytest.raises(PolicyError) as refused:
        parse_policy("version: !!int abc\n", "policy.yaml")
    problem = refused.value.problems[0]
    assert problem.line == 1 and "'abc'" in problem.message
