from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from .views import appointments, auth, me, public, referral
from .views.base import NotFoundView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Signing in and out.
    path("auth/sign-in", auth.SignInView.as_view(), name="sign_in"),
    path("auth/verify", auth.VerifyView.as_view(), name="verify"),
    path("auth/sign-out", auth.SignOutView.as_view(), name="sign_out"),
    path("auth/sign-out-everywhere", auth.SignOutEverywhereView.as_view(), name="sign_out_everywhere"),
    # Public.
    path("articles", public.ArticleListView.as_view(), name="articles"),
    path("articles/search", public.ArticleSearchView.as_view(), name="article_search"),
    path("articles/<slug:slug>", public.ArticleDetailView.as_view(), name="article"),
    path("directory", public.DirectoryView.as_view(), name="directory"),
    path("questionnaires", public.QuestionnaireListView.as_view(), name="questionnaires"),
    path("questionnaires/<slug:slug>", public.QuestionnaireDetailView.as_view(), name="questionnaire"),
    path("questionnaires/<slug:slug>/score", public.QuestionnaireScoreView.as_view(), name="questionnaire_score"),
    path("crisis", public.CrisisView.as_view(), name="crisis"),
    path("referrals", referral.ReferralSubmitView.as_view(), name="referral_submit"),
    # The signed-in practitioner's own record.
    path("me/referral", me.MyReferralView.as_view(), name="my_referral"),
    path("me/referral/stop", me.MyReferralStopView.as_view(), name="my_referral_stop"),
    path("me/contact-preferences", me.MyContactView.as_view(), name="my_contact"),
    path("me/people-known", me.MyPeopleView.as_view(), name="my_people"),
    path("me/results", me.MyResultsView.as_view(), name="my_results"),
    path("me/results/<int:pk>", me.MyResultView.as_view(), name="my_result"),
    path("me/access-log", me.MyAccessView.as_view(), name="my_access"),
    path("me/appointments", appointments.MyAppointmentsView.as_view(), name="my_appointments"),
    path("me/appointments/open-slots", appointments.MyOpenSlotsView.as_view(), name="my_open_slots"),
    path("me/appointments/<int:pk>", appointments.MyAppointmentView.as_view(), name="my_appointment"),
    path("me/appointments/<int:pk>/reschedule", appointments.MyRescheduleView.as_view(), name="my_reschedule"),
    path("me/appointments/<int:pk>/cancel", appointments.MyCancelView.as_view(), name="my_cancel"),
    path("me/appointments/<int:pk>/calendar.ics", appointments.MyCalendarView.as_view(), name="my_calendar"),
    path("me/callbacks", appointments.MyCallbackView.as_view(), name="my_callback"),
    # Last: any other address (a malformed id, a trailing slash) is a JSON 404, not a web page.
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not_found"),
]
