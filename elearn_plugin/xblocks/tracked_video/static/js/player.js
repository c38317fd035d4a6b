/* Tracked video player: no seeking past the furthest point watched; segments reported to the server. */
function ElearnTrackedVideo(runtime, element, args) {
  'use strict';
  var el = element && element.jquery ? element[0] : element;
  var root = el.querySelector('.elearn-video');
  var video = root.querySelector('.elearn-video__media');
  var playButton = root.querySelector('.elearn-video__play');
  var bar = root.querySelector('.elearn-video__bar');
  var watchedLayer = root.querySelector('.elearn-video__watched');
  var head = root.querySelector('.elearn-video__head');
  var timeLabel = root.querySelector('.elearn-video__time');
  var rateSelect = root.querySelector('.elearn-video__rate');
  var statusLine = root.querySelector('.elearn-video__status');
  var S = args.strings || {};
  var duration = Number(args.duration) || 0;
  var maxRate = Math.min(Number(args.max_rate) || 1, 2);
  var SEEK_SLACK = 0.5;     // a seek this far past the watched part is refused with a message
  var SNAP = 0.01;          // any seek past it is snapped back: a gap is never completed

  var token = null;
  var seq = 0;
  var frontier = 0;
  var intervals = [];
  var segStart = null;     // media time where the unreported segment starts
  var lastTime = 0;        // furthest continuous playback point of the segment
  var inFlight = false;
  var again = false;
  var stopped = false;
  var complete = false;
  var completeSent = false;
  var durationSent = false;
  var timer = null;
  var retry = null;
  var RETRY_MS = 2000;
  var reportEvery = 20000;
  var pendingResume = null;

  function fmt(template, values) {
    return String(template || '').replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function clock(t) {
    t = Math.max(0, Math.floor(t || 0));
    var m = Math.floor(t / 60), s = t % 60;
    return m + ':' + (s < 10 ? '0' : '') + s;
  }
  function say(text, kind) {
    statusLine.textContent = text || '';
    statusLine.classList.toggle('is-error', kind === 'error');
    statusLine.classList.toggle('is-complete', kind === 'complete');
  }
  function cookie(name) {
    var parts = ('; ' + document.cookie).split('; ' + name + '=');
    return parts.length === 2 ? decodeURIComponent(parts.pop().split(';').shift()) : '';
  }
  function post(url, body, keepalive) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': cookie(args.csrf_cookie || 'csrftoken')},
      body: JSON.stringify(body || {})
    });
  }

  function drawProgress() {
    var total = duration || video.duration || 1;
    watchedLayer.textContent = '';
    intervals.forEach(function (iv) {
      var span = document.createElement('span');
      span.style.left = (100 * iv[0] / total) + '%';
      span.style.width = (100 * (iv[1] - iv[0]) / total) + '%';
      watchedLayer.appendChild(span);
    });
    head.style.left = Math.min(100, 100 * (video.currentTime || 0) / total) + '%';
    bar.setAttribute('aria-valuemax', String(Math.round(total)));
    bar.setAttribute('aria-valuenow', String(Math.round(video.currentTime || 0)));
    var watched = intervals.reduce(function (a, iv) { return a + iv[1] - iv[0]; }, 0);
    bar.setAttribute('aria-valuetext', fmt(S.watched, {watched: clock(watched), total: clock(total)}));
    timeLabel.textContent = clock(video.currentTime) + ' / ' + clock(total);
  }

  function allowedEnd() { return Math.max(frontier, lastTime); }

  function seekTo(t) {
    if (stopped) { return; }
    t = Math.max(0, Math.min(t, duration || video.duration || 0));
    if (t > allowedEnd() + SEEK_SLACK) {
      t = allowedEnd();
      say(S.no_seek);
    }
    video.currentTime = t;
  }

  function send(keepalive) {
    if (!token || stopped || segStart === null) { return; }
    var end = Math.min(lastTime, duration);
    var start = segStart;
    if (end - start < 0.05) { return; }
    if (inFlight && !keepalive) { again = true; return; }
    seq += 1;
    segStart = end;
    inFlight = !keepalive;
    var body = {token: token, seq: seq, start: Number(start.toFixed(3)), end: Number(end.toFixed(3))};
    var request = post(args.report_url, body, keepalive);
    if (keepalive) { return; }
    request.then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        inFlight = false;
        if (resp.ok) {
          frontier = Math.max(frontier, Number(data.frontier) || 0);
          if (data.intervals) { intervals = data.intervals; }
          drawProgress();
          if (data.complete) { finish(); }
        } else if (data.code === 'superseded' || resp.status === 403 || resp.status === 401) {
          stop(data.code === 'superseded' ? S.superseded : (data.message || S.refused));
        } else if (data.code === 'too_fast' || resp.status === 429 || resp.status >= 500) {
          // Not lost: the next report covers it again from the same start, also when the
          // video has ended or is paused and no periodic report follows.
          segStart = Math.min(segStart, start);
          retryLater();
        } else {
          say(data.message || S.refused, 'error');
        }
        if (again) { again = false; send(false); }
      });
    }).catch(function () {
      inFlight = false;
      segStart = Math.min(segStart, start);
      say(S.error, 'error');
      retryLater();
    });
  }

  function retryLater() {
    if (retry !== null || stopped) { return; }
    retry = window.setTimeout(function () { retry = null; send(false); }, RETRY_MS);
  }

  function finish() {
    complete = true;
    say(S.complete, 'complete');
    if (completeSent) { return; }
    completeSent = true;
    post(runtime.handlerUrl(element, 'complete'), {}).catch(function () { completeSent = false; });
  }

  function stop(message) {
    stopped = true;
    video.pause();
    playButton.disabled = true;
    say(message, 'error');
  }

  function fillRates() {
    [0.75, 1, 1.25, 1.5, 1.75, 2].forEach(function (r) {
      if (r > maxRate + 1e-9) { return; }
      var opt = document.createElement('option');
      opt.value = String(r);
      opt.textContent = r + '×';
      if (r === 1) { opt.selected = true; }
      rateSelect.appendChild(opt);
    });
  }

  // --- events ---------------------------------------------------------------------------
  video.addEventListener('timeupdate', function () {
    var t = video.currentTime;
    if (!video.seeking && !video.paused && segStart !== null && t >= lastTime && t - lastTime < 1.5) {
      lastTime = t;
    }
    drawProgress();
  });
  video.addEventListener('seeking', function () {
    var t = video.currentTime;
    if (t > allowedEnd() + SNAP) {
      // The server completes a video only without gaps: never start past the watched part.
      if (t > allowedEnd() + SEEK_SLACK) { say(S.no_seek); }
      video.currentTime = allowedEnd();
      return;
    }
    send(false);
    segStart = Math.min(t, allowedEnd());
    lastTime = t;
  });
  video.addEventListener('ratechange', function () {
    if (video.playbackRate > maxRate) { video.playbackRate = maxRate; }
  });
  video.addEventListener('play', function () {
    playButton.textContent = S.pause; playButton.setAttribute('aria-pressed', 'true');
    if (segStart === null) {
      // Playback starts where the player stood (the resume point); the event may come a
      // few milliseconds later, and a missing start would be a gap the server never fills.
      segStart = Math.min(video.currentTime, lastTime);
      lastTime = Math.max(segStart, video.currentTime);
    }
  });
  video.addEventListener('pause', function () {
    playButton.textContent = S.play; playButton.setAttribute('aria-pressed', 'false');
    send(false);
  });
  video.addEventListener('ended', function () {
    lastTime = Math.min(duration, Math.max(lastTime, video.duration || 0, video.currentTime));
    send(false);
  });
  // The media's own duration is evidence for the course team; the server keeps it only for
  // a learner with a session, so it is sent once the session has started.
  function sendDuration() {
    if (durationSent || !token || !isFinite(video.duration) || !(video.duration > 0)) { return; }
    durationSent = true;
    post(runtime.handlerUrl(element, 'media_duration'), {duration: video.duration})
      .catch(function () { durationSent = false; });
  }
  video.addEventListener('loadedmetadata', function () {
    if (pendingResume !== null) { video.currentTime = pendingResume; pendingResume = null; }
    sendDuration();
    drawProgress();
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      if (!video.paused) { video.pause(); say(S.hidden); }
      send(true);
    }
  });
  window.addEventListener('pagehide', function () { send(true); });

  playButton.addEventListener('click', function () {
    if (stopped || !token) { return; }
    if (video.paused) { video.play(); } else { video.pause(); }
  });
  root.addEventListener('keydown', function (ev) {
    if (ev.target === rateSelect) { return; }
    if (ev.key === ' ' || ev.key === 'k') {
      ev.preventDefault(); playButton.click();
    } else if (ev.key === 'ArrowLeft') {
      ev.preventDefault(); seekTo(video.currentTime - 5);
    } else if (ev.key === 'ArrowRight') {
      ev.preventDefault(); seekTo(video.currentTime + 5);
    } else if (ev.key === 'Home') {
      ev.preventDefault(); seekTo(0);
    }
  });
  bar.addEventListener('click', function (ev) {
    var rect = bar.getBoundingClientRect();
    var total = duration || video.duration || 0;
    seekTo(total * (ev.clientX - rect.left) / Math.max(1, rect.width));
  });
  rateSelect.addEventListener('change', function () {
    video.playbackRate = Math.min(Number(rateSelect.value) || 1, maxRate);
  });

  // --- start ----------------------------------------------------------------------------
  fillRates();
  playButton.disabled = true;
  post(runtime.handlerUrl(element, 'start_session'), {}).then(function (resp) {
    return resp.json().then(function (data) {
      if (!resp.ok || !data.ok) { stop(data.message || S.refused); return; }
      token = data.token;
      frontier = Number(data.frontier) || 0;
      intervals = data.intervals || [];
      reportEvery = Math.max(5, Math.min(30, Number(data.report_interval_seconds) || 20)) * 1000;
      var position = Math.min(Number(data.position) || 0, frontier);
      if (position > 0) {
        if (video.readyState >= 1) { video.currentTime = position; } else { pendingResume = position; }
        say(S.resume);
      } else {
        say('');
      }
      lastTime = position;
      playButton.disabled = false;
      if (data.complete) { complete = true; say(S.complete, 'complete'); }
      if (video.readyState >= 1) { sendDuration(); }
      drawProgress();
      timer = window.setInterval(function () { if (!video.paused) { send(false); } }, reportEvery);
    });
  }).catch(function () { stop(S.error); });

  root.elearnPlayer = {
    state: function () {
      return {token: !!token, seq: seq, frontier: frontier, segStart: segStart, lastTime: lastTime,
              complete: complete, stopped: stopped, timer: timer !== null,
              durationSent: durationSent};
    }
  };
}
