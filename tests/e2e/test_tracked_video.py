"""A learner watches a tracked video in a real browser (P-17, P-19)."""

import pytest

from tests.e2e.conftest import query

pytestmark = pytest.mark.e2e
SCENARIO = "/workbench/scenario/elearn_video.0/"


def _user_id(site, username):
    return query(site, "SELECT id FROM auth_user WHERE username = ?", (username,))[0][0]


def _progress(site, username):
    rows = query(
        site,
        "SELECT watched_seconds, frontier FROM elearn_plugin_watchprogress WHERE user_id = ?",
        (_user_id(site, username),),
    )
    return rows[0] if rows else (0.0, 0.0)


def _open_player(page, site):
    page.goto(site["url"] + SCENARIO)
    page.wait_for_selector(".elearn-video__play:not([disabled])", timeout=15000)
    page.wait_for_function(
        "document.querySelector('.elearn-video__media').readyState >= 1", timeout=15000
    )


# P-17, P-19: normal speed to the end, at phone width (the apps' WebView shows student_view)
def test_play_to_completion_at_phone_width(site, login):
    page = login("learner_phone", viewport={"width": 375, "height": 740})
    _open_player(page, site)
    width = page.evaluate("document.querySelector('.elearn-video').getBoundingClientRect().width")
    assert width <= 375
    page.click(".elearn-video__play")
    page.wait_for_selector(".elearn-video__status.is-complete", timeout=20000)
    rows = query(
        site,
        "SELECT watched_seconds FROM elearn_plugin_videocompletion WHERE user_id = ?",
        (_user_id(site, "learner_phone"),),
    )
    assert len(rows) == 1 and rows[0][0] >= 4.0


# P-17: a desktop learner with the keyboard; the completion record appears once
def test_keyboard_play_to_completion(site, login):
    page = login("learner_play")
    _open_player(page, site)
    page.focus(".elearn-video__play")
    page.keyboard.press("Space")
    page.wait_for_selector(".elearn-video__status.is-complete", timeout=20000)
    uid = _user_id(site, "learner_play")
    count = query(
        site, "SELECT COUNT(*) FROM elearn_plugin_videocompletion WHERE user_id = ?", (uid,)
    )
    assert count[0][0] == 1


# P-17: seeking ahead snaps back to the furthest point watched
def test_seeking_ahead_snaps_back(site, login):
    page = login("learner_seek")
    _open_player(page, site)
    page.evaluate("document.querySelector('.elearn-video__media').currentTime = 4.5")
    page.wait_for_timeout(500)
    position = page.evaluate("document.querySelector('.elearn-video__media').currentTime")
    assert position <= 1.0
    box = page.locator(".elearn-video__bar").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.95, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('.elearn-video__media').currentTime") <= 1.0
    page.focus(".elearn-video__bar")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('.elearn-video__media').currentTime") <= 1.0
    assert page.locator(".elearn-video__status").inner_text().strip()
    assert _progress(site, "learner_seek")[0] == 0


# P-17: the last segment before the tab closes is kept (keepalive report)
def test_last_segment_kept_when_tab_closes(site, login):
    page = login("learner_close")
    _open_player(page, site)
    page.click(".elearn-video__play")
    page.wait_for_function(
        "document.querySelector('.elearn-video__media').currentTime >= 2.5", timeout=10000
    )
    page.close(run_before_unload=True)
    watched = 0.0
    for _ in range(30):
        watched = _progress(site, "learner_close")[0]
        if watched >= 2.0:
            break
        import time

        time.sleep(0.2)
    assert watched >= 2.0


# P-17: the demo media answers Range requests (206), so the browser can seek inside it
def test_demo_media_answers_range_requests(site):
    import urllib.request

    request = urllib.request.Request(
        site["url"] + "/elearn-demo-media/clip.webm", headers={"Range": "bytes=100-199"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 206
        assert response.headers["Content-Range"].startswith("bytes 100-199/")
        assert len(response.read()) == 100


# P-17: seeking back inside the watched part plays from there, not from 0:00; the media's
# duration reaches the server once the session exists (no 404 before it)
def test_seeking_back_stays_inside_the_watched_part(site, login):
    page = login("learner_rewind")
    statuses = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if "media_duration" in r.url else None,
    )
    _open_player(page, site)
    page.click(".elearn-video__play")
    page.wait_for_function(
        "document.querySelector('.elearn-video__media').currentTime >= 3.0", timeout=10000
    )
    page.click(".elearn-video__play")  # pause
    page.evaluate("document.querySelector('.elearn-video__media').currentTime = 1.5")
    page.wait_for_function("!document.querySelector('.elearn-video__media').seeking", timeout=5000)
    page.wait_for_timeout(300)
    position = page.evaluate("document.querySelector('.elearn-video__media').currentTime")
    assert 1.3 <= position <= 1.7, position
    assert statuses == [200]
    rows = query(
        site,
        "SELECT duration FROM elearn_plugin_mediadurationobservation WHERE user_id = ?",
        (_user_id(site, "learner_rewind"),),
    )
    assert len(rows) == 1 and rows[0][0] > 4.0
