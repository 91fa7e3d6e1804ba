from django.urls import path

from . import views, webhooks

app_name = "triage"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("queues/<slug:key>/", views.queue, name="queue"),
    path("enquiry/", views.enquiry_create, name="enquiry"),
    path("referral/<int:pk>/", views.referral_detail, name="referral"),
    path("referral/<int:pk>/call/", views.call_log_create, name="call_create"),
    path("referral/<int:pk>/callback/", views.callback_create, name="callback_create"),
    path("referral/<int:pk>/triage/", views.triage_create, name="triage_create"),
    path("referral/<int:pk>/eligibility/", views.eligibility_decide, name="eligibility"),
    path("referral/<int:pk>/match/", views.match, name="match"),
    path("referral/<int:pk>/close/", views.referral_close_view, name="close"),
    path("referral/<int:pk>/reopen/", views.referral_reopen_view, name="reopen"),
    path("referral/<int:pk>/take/", views.referral_take_view, name="take"),
    path("referral/<int:pk>/release/", views.referral_release_view, name="release"),
    path("mine/", views.my_referrals, name="my_referrals"),
    path("my/callback/", views.my_callback, name="my_callback"),
    path("voice/incoming/", webhooks.voice_incoming, name="voice_incoming"),
    path("voice/out-of-hours/", webhooks.voice_out_of_hours, name="voice_out_of_hours"),
    path("voice/dial-status/", webhooks.voice_dial_status, name="voice_dial_status"),
    path("voice/status/", webhooks.voice_status, name="voice_status"),
    path("voice/callback/<str:token>/connect/", webhooks.voice_callback_connect, name="voice_callback_connect"),
    path("voice/callback/<str:token>/screen/", webhooks.voice_callback_screen, name="voice_callback_screen"),
    path("voice/callback/<str:token>/result/", webhooks.voice_callback_result, name="voice_callback_result"),
    path("voice/callback/<str:token>/status/", webhooks.voice_callback_status, name="voice_callback_status"),
]
