from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", api.TokenDetailView.as_view(), name="auth-token-detail"),
]
