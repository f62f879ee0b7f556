from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="auth-register"),
    path("auth/me/", api.MeView.as_view(), name="auth-me"),
    path("auth/me/export/", api.DataExportView.as_view(), name="auth-me-export"),
    path("auth/password/", api.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password-reset/", api.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        api.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/verify-email/", api.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", api.TokenDetailView.as_view(), name="auth-token-detail"),
]
