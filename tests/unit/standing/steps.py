"""A pipeline step used by the login tests: refuses every sign-in."""

from openedx_filters.filters import PipelineStep
from openedx_filters.learning.filters import StudentLoginRequested


class RefuseAll(PipelineStep):
    def run_filter(self, user):
        raise StudentLoginRequested.PreventLogin("closed")
