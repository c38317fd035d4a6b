"""The standalone site's workbench scenario of `elearn_video`: the demo clip (served with Range
by conf/devsite/media), its handout (a PDF among the site's static files) and a transcript."""

SCENARIOS = [
    (
        "Tracked video",
        """<elearn_video display_name="Tracked video" duration="5.0"
            max_playback_rate="1.0" credited_seconds="300"
            handout_url="/static/elearn-demo/fire-safety-handout.pdf"
            handout_label="Fire safety handout (PDF, 1 page)">
            <source src="/elearn-demo-media/clip.webm"/>
            <source src="/elearn-demo-media/clip.mp4"/>
            <transcript_text>Welcome to the fire safety briefing.
Know the two exits nearest to your desk, and the assembly point outside.
When the alarm sounds, leave at once by the nearest exit; do not use the lifts.
Report anyone missing to the floor warden at the assembly point.</transcript_text>
        </elearn_video>""",
    )
]
