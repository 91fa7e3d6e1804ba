from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("sign-in/", views.login_view, name="login"),
    path("sign-in/code/", views.verify_view, name="verify"),
    path("sign-in/code/resend/", views.resend_code_view, name="resend_code"),
    path("authenticator/", views.enrol_view, name="enrol"),
    path("backup-codes/", views.backup_codes_view, name="backup_codes"),
    path("security/", views.security_view, name="security"),
    path("security/authenticator/remove/", views.authenticator_remove_view, name="authenticator_remove"),
    path("security/app-sign-ins/<int:pk>/sign-out/", views.app_sign_in_end_view, name="app_sign_in_end"),
    path("sign-out/", views.logout_view, name="logout"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done_view, name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
]
