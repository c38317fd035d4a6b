"""What the approval gate costs a learner's page (P-10, P-11, ADR 0017).

A unit of N tracked videos rendered for a learner: through an approved `elearn_approval`
gate (the fingerprint of its children, one query for the approval), against the baseline of
the same children rendered without a gate. SQLite, the dev site's settings. Prints JSON.

    python benchmarks/approval_gate.py [--videos 10] [--renders 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import devsite_in  # noqa: E402 (the script's own folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=10)
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        devsite_in(var)
        from crum import set_current_request
        from django.contrib.auth import get_user_model
        from django.test import RequestFactory
        from xblock.runtime import (
            DictKeyValueStore,
            KvsFieldData,
            MemoryIdManager,
            NullI18nService,
            Runtime,
        )

        from elearn_plugin.review import services
        from elearn_plugin.rules.review import CHECKLIST
        from elearn_plugin.xblocks.approval.fingerprint import fingerprint

        class _Runtime(Runtime):
            def handler_url(self, *a, **k):
                return "/handler"

            def resource_url(self, resource):
                return "/r"

            def local_resource_url(self, block, uri):
                return "/l"

            def publish(self, *a):
                pass

        ids = MemoryIdManager()
        runtime = _Runtime(
            id_reader=ids,
            id_generator=ids,
            field_data=KvsFieldData(DictKeyValueStore()),
            services={"i18n": NullI18nService()},
        )
        videos = "".join(
            f'<elearn_video display_name="V{i}" duration="60.0">'
            f'<source src="https://media.example.com/{i}.mp4"/></elearn_video>'
            for i in range(args.videos)
        )
        gate = runtime.get_block(
            runtime.parse_xml_string(
                f'<elearn_approval display_name="U">{videos}</elearn_approval>'
            )
        )
        users = get_user_model().objects
        author, hr, learner = (users.create_user(n) for n in ("author", "hr", "learner"))
        hr.is_staff = True
        hr.save()
        author.groups.create(name="elearn_publisher")
        course_key, block_key = gate.keys()
        item = services.submit(
            kind="unit", course_key=course_key, target_key=block_key,
            fingerprint=fingerprint(gate), title="U", actor=author,
        )  # fmt: skip
        services.decide(item.pk, "approve", actor=hr, checklist=dict.fromkeys(CHECKLIST, True))
        request = RequestFactory().get("/courseware")
        request.user = learner
        set_current_request(request)
        children = gate.get_children()
        timings = {}
        for name, render in (
            ("baseline_children_alone", lambda: [c.render("student_view", {}) for c in children]),
            ("through_the_gate", lambda: gate.render("student_view", {})),
        ):
            render()  # warm
            started = time.perf_counter()
            for _ in range(args.renders):
                render()
            timings[name] = (time.perf_counter() - started) / args.renders * 1000
        assert "elearn-video" in gate.render("student_view", {}).content  # approved: shown
        print(
            json.dumps(
                {
                    "videos": args.videos,
                    "renders": args.renders,
                    "baseline_ms_per_unit": round(timings["baseline_children_alone"], 3),
                    "gate_ms_per_unit": round(timings["through_the_gate"], 3),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
