"""The account pages (names live in the "web" namespace)."""

from django.urls import path

from accounts import data_web, recovery_web, web

urlpatterns = [
    path("account/", web.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", web.revoke_token, name="revoke-token"),
    path("account/email/", recovery_web.change_email, name="change-email"),
    path("account/password/", recovery_web.change_password, name="change-password"),
    path("account/data/", data_web.download_data, name="download-data"),
    path("account/delete/", data_web.delete_account, name="delete-account"),
    path("account/preferences/", recovery_web.change_preferences, name="change-preferences"),
    path(
        "account/email/resend/",
        recovery_web.resend_verification,
        name="resend-verification",
    ),
    path("account/password/forgot/", recovery_web.password_forgot, name="password-forgot"),
    path(
        "account/password/forgot/sent/",
        recovery_web.password_forgot_sent,
        name="password-forgot-sent",
    ),
    path(
        "account/password/reset/<str:uid>/<str:token>/",
        recovery_web.password_reset,
        name="password-reset",
    ),
    path("account/verify/<str:uid>/<str:token>/", recovery_web.verify_email, name="verify-email"),
]
