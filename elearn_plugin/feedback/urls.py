"""URL patterns of requests, feedback and surveys (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.feedback import survey_views, views

urlpatterns = [
    path("feedback/", views.my_feedback, name="feedback"),
    path("feedback/<int:item_id>/close/", views.close_item, name="feedback-close"),
    path("feedback/inbox/", views.inbox, name="feedback-inbox"),
    path("feedback/inbox/<int:item_id>/", views.inbox_item, name="feedback-inbox-item"),
    path("surveys/<int:survey_id>/", survey_views.answer_survey, name="survey"),
    path("surveys/<int:survey_id>/results/", survey_views.survey_results, name="survey-results"),
    path(
        "surveys/<int:survey_id>/export/<slug:table>.<str:fmt>",
        survey_views.survey_export,
        name="survey-export",
    ),
]
