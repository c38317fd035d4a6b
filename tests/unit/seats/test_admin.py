"""HR's seat pool page: used and free as columns, saves through `set_seats` (P-2, P-31)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org import services as org
from elearn_plugin.seats.models import SeatPool
from elearn_plugin.seats.services import set_seats

URL = "/admin/elearn_plugin/seatpool/"


@pytest.fixture
def hr_client(client, make_user):
    client.force_login(make_user("hr-admin", is_staff=True, is_superuser=True))
    return client


def test_unit_admin_can_serve_the_autocomplete():  # P-2
    from elearn_plugin.org.models import Unit

    assert admin.site._registry[Unit].search_fields
    assert admin.site._registry[SeatPool].autocomplete_fields == ("unit",)


def test_changelist_shows_used_and_free_in_one_count(hr_client, tree, add_people):  # P-2
    add_people(tree["sales"], 2)
    set_seats(tree["hq"].pk, 5, actor=None)
    set_seats(tree["sub"].pk, 4, actor=None)
    hr_client.get(URL)  # warm the session and the role caches
    with CaptureQueriesContext(connection) as two:
        page = hr_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'class="field-used_seats">2<' in text and 'class="field-free_seats">3<' in text
    for i in range(6):
        unit, _ = org.create_unit(f"extra{i}", f"Extra {i}")
        set_seats(unit.pk, 1, actor=None)
    with CaptureQueriesContext(connection) as eight:
        assert hr_client.get(URL).status_code == 200
    assert len(eight) == len(two)


def test_adding_a_pool_saves_through_the_service(hr_client, tree):  # P-2, P-11
    assert hr_client.get(f"{URL}add/").status_code == 200
    found = hr_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "elearn_plugin",
            "model_name": "seatpool",
            "field_name": "unit",
            "term": "sub",
        },
    )
    assert {r["text"] for r in found.json()["results"]} == {
        "sub Subsidiary",
        "sub-it Subsidiary IT",
    }
    response = hr_client.post(f"{URL}add/", {"unit": tree["hq"].pk, "seats": "7"})
    assert response.status_code == 302
    assert SeatPool.objects.get().seats == 7
    assert AuditEvent.objects.filter(verb="seats.set").count() == 1


def test_a_refused_count_is_shown_on_the_form(hr_client, tree, add_people):  # P-2
    add_people(tree["hq"], 3)
    pool = set_seats(tree["hq"].pk, 5, actor=None)
    response = hr_client.post(f"{URL}{pool.pk}/change/", {"seats": "2"})
    assert response.status_code == 200
    assert "Unit hq uses 3 seats" in response.content.decode()
    assert SeatPool.objects.get().seats == 5


def test_only_hr_sees_the_page(client, tree, make_user):  # P-31
    client.force_login(make_user("staffless"))
    assert client.get(URL).status_code == 302  # the admin's login page
