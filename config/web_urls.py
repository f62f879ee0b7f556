"""The web client's pages (server-rendered), mounted at the site root."""

from django.urls import include, path

from accounts import web as accounts_web
from config import web

app_name = "web"

urlpatterns = [
    path("", web.home, name="home"),
    path("language/", accounts_web.set_language, name="language"),
    path("signup/", accounts_web.signup, name="signup"),
    path("signin/", accounts_web.signin, name="signin"),
    path("signout/", accounts_web.signout, name="signout"),
    path("", include("community.web_urls")),
    path("", include("community.forums.web_urls")),
    path("", include("chat.web_urls")),
    path("", include("directory.web_urls")),
    path("", include("accounts.web_urls")),
    path("", include("notifications.web_urls")),
    path("", include("meetings.web_urls")),
    path("", include("calls.web_urls")),
]
