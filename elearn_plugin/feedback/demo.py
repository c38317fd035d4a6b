"""Demo data of P-29 for the standalone site: a complaint HR has answered (its answer mail
waits in the outbox until `manage.py elearn_tick`), an open course request, an open item
past its due time, and an open training-needs survey with a handful of answers. Written
through the services, as a learner and HR would; run once (a second run adds nothing)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from elearn_plugin.feedback import services, surveys
from elearn_plugin.feedback.models import FeedbackItem, Survey
from elearn_plugin.org.models import Unit
from elearn_plugin.rules.feedback import parse_questions

SURVEY_TITLE = "2026 培训需求调查 Training needs 2026"
QUESTIONS = "\n".join(
    [
        "single: 您最需要哪类课程？ Which kind of course do you need most? | 专业技能 Job skills"
        " | 管理 Management | 安全合规 Safety and compliance | 办公软件 Office software",
        "multi: 您希望何时学习？ When would you like to study? | 工作日学习时段 Weekday study"
        " window | 晚上 Evenings | 周末 Weekends",
        "scale: 现有课程对工作有多大帮助？ How useful are the current courses for your work?",
        "text: 还希望开设哪些课程？ Which other courses should we offer?",
    ]
)
ANSWERS = [  # username, single, multi, scale, text
    ("learner01", 0, [0], 4, "Excel 数据透视表"),
    ("learner02", 3, [0, 1], 3, "Python for data analysis"),
    ("learner03", 1, [1], 5, ""),
    ("learner04", 0, [0, 2], 2, "Negotiation for sales staff"),
    ("learner06", 2, [0], 4, "叉车安全操作"),
    ("learner08", 3, [1, 2], 3, ""),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def seed_demo(now: datetime) -> list[str]:
    """Write the demo items and survey; the lines to print."""
    hr, learner01, learner02 = _user("hr"), _user("learner01"), _user("learner02")
    if hr is None or learner01 is None or learner02 is None:
        return []
    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        return ["  Feedback demo:  already written"]
    base = os.environ.get("ELEARN_DEMO_URL", "http://127.0.0.1:8000").rstrip("/")
    complaint = services.submit_item(
        learner01,
        kind="complaint",
        about="platform",
        subject="视频在手机上无法播放 The video does not play on my phone",
        body="The safety course video stops after a minute in the mobile app.",
        now=now - timedelta(days=2),
    )
    services.answer_item(
        complaint.pk,
        actor=hr,
        answer="Thank you. The app needed an update: version 2.4 plays the video to the end.",
        page_url=f"{base}/elearn/feedback/",
        now=now - timedelta(days=1),
    )
    services.submit_item(
        learner02,
        kind="course_request",
        subject="Python 数据分析 Python for data analysis",
        body="Our team cleans spreadsheets by hand every week.",
        now=now - timedelta(hours=3),
    )
    late = services.submit_item(
        learner02,
        kind="feedback",
        about="question",
        course_key="course-v1:ElearnDemo+SAFE101+2026",
        subject="第三章的灭火器类型 Extinguisher types in chapter 3",
        body="Which extinguisher is right for electrical fires?",
        now=now - timedelta(days=10),
    )
    questions, _problems = parse_questions(QUESTIONS)
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    survey = surveys.save_survey(
        None,
        title=SURVEY_TITLE,
        description="帮助人力资源中心选购和开发明年的课程。 Help HR choose next year's courses.",
        questions=questions,
        unit_ids=[root.pk] if root else [],
        job_role_ids=[],
        actor=hr,
    )
    surveys.open_survey(survey.pk, actor=hr, now=now - timedelta(days=3))
    ids = [q.pk for q in survey.questions.all()]
    answered = 0
    for username, single, multi, scale, text in ANSWERS:
        user = _user(username)
        if user is None:
            continue
        given = {ids[0]: single, ids[1]: multi, ids[2]: scale, ids[3]: text}
        surveys.submit_response(user, survey.pk, given, now=now - timedelta(hours=answered + 1))
        answered += 1
    return [
        f"  Feedback:       {FeedbackItem.objects.count()} items ({base}/elearn/feedback/inbox/),"
        f" one late (#{late.pk}); the answer to #{complaint.pk} is mailed by elearn_tick",
        f"  Survey:         {answered} answers ({base}/elearn/surveys/{survey.pk}/results/)",
    ]
