"""No module of the package grows past what one person can hold in mind (about 400 lines).

Migrations are generated and excluded. A module that needs more is split by concern, with
a facade re-exporting the public names where a contract (ADR 0001) names the old module.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "elearn_plugin"
LIMIT = 400


def test_no_module_is_over_400_lines():
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert len(sizes) > 50, "the package was not found"
    assert not {name: n for name, n in sizes.items() if n > LIMIT}
