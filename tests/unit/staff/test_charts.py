"""The dashboard's charts: accessible SVG with a label on every bar, text kept as text and
escaped, shown as an image, drawn once per data set."""

import base64
import re
import warnings
from decimal import Decimal

import pytest
from django.core.cache import cache

from elearn_plugin.staff import charts

QUOTA_TEXT = {
    "title": "Learners at quota",
    "xlabel": "Month",
    "ylabel": "At quota (%)",
    "closed": "Judged month",
    "open": "Open month, so far",
    "no_data": "not judged",
}
HOURS_TEXT = {
    "title": "Online hours against the cap",
    "xlabel": "Hours",
    "ylabel": "Unit",
    "counted": "Counted",
    "excess": "Above the cap",
    "cap": "Cap",
    "value": "{online} h ({counted} counted)",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _points(shares):
    return [
        {"period": f"2026-{i + 1:02d}", "share": share, "open": i == len(shares) - 1}
        for i, share in enumerate(shares)
    ]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_quota_chart_is_an_accessible_svg_with_a_label_per_bar():
    svg = charts.quota_trend_chart(_points([Decimal("50.0"), None, Decimal("75.5")]), QUOTA_TEXT)
    assert svg.startswith("<?xml") and "<svg" in svg and "<metadata>" not in svg
    assert 'role="img"' in svg and 'aria-label="Learners at quota"' in svg
    assert "<title>Learners at quota</title>" in svg
    texts = _texts(svg)
    assert "50%" in texts and "76%" in texts  # one value label per bar drawn
    assert "not judged" in texts  # the month without standings says so
    assert {"Month", "At quota (%)", "Judged month", "Open month, so far"} <= set(texts)


def test_the_hours_chart_labels_each_unit_and_its_hours():
    rows = [
        {
            "label": "IT",
            "online": Decimal("12.50"),
            "counted": Decimal("3.00"),
            "cap": Decimal("3"),
        },
        {"label": "研发部", "online": Decimal("2"), "counted": Decimal("2"), "cap": None},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the server's missing CJK glyphs warn nothing
        svg = charts.hours_chart(rows, HOURS_TEXT)
    texts = _texts(svg)
    assert "IT" in texts and "研发部" in texts  # text stays text: the browser's fonts draw it
    assert "12.5 h (3.0 counted)" in texts and "2.0 h (2.0 counted)" in texts
    assert {"Hours", "Unit", "Counted", "Above the cap", "Cap"} <= set(texts)
    assert "<title>Online hours against the cap</title>" in svg
    assert charts.hours_chart([], HOURS_TEXT) == ""


def test_text_in_a_chart_is_escaped():  # P-32
    rows = [{"label": "<script>alert(1)</script>", "online": 1, "counted": 0, "cap": 0}]
    svg = charts.hours_chart(rows, {**HOURS_TEXT, "title": 'A "title" <b>'})
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<b>" not in svg


def test_a_chart_goes_into_the_page_as_an_image():  # P-32: nothing marked safe
    svg = charts.hours_chart([{"label": "IT", "online": 1, "counted": 1, "cap": 2}], HOURS_TEXT)
    uri = charts.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
    assert charts.data_uri("") == ""


def test_a_chart_is_drawn_once_per_data_set(monkeypatch):
    points = _points([Decimal("40"), Decimal("60")])
    first = charts.quota_trend_chart(points, QUOTA_TEXT)

    def no_redraw(data):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "_draw_quota_trend", no_redraw)
    assert charts.quota_trend_chart(points, QUOTA_TEXT) == first
    with pytest.raises(AssertionError, match="drawn again"):
        charts.quota_trend_chart(_points([Decimal("40"), Decimal("61")]), QUOTA_TEXT)


def test_the_cache_key_follows_the_data_and_the_language():
    data = {"points": [{"period": "2026-01", "share": "40"}], "text": {"title": "At quota"}}
    same = {"text": {"title": "At quota"}, "points": [{"period": "2026-01", "share": "40"}]}
    other = {"points": [{"period": "2026-01", "share": "41"}], "text": {"title": "At quota"}}
    chinese = {"points": data["points"], "text": {"title": "达标学员"}}
    key = charts.cache_key("quota", data)
    assert key == charts.cache_key("quota", same)
    assert key != charts.cache_key("quota", other) != charts.cache_key("quota", chinese)
    assert key != charts.cache_key("hours", data)
