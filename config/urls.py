from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

admin.site.site_header = "InMail administration"
admin.site.site_title = "InMail admin"

# A database outage answers 503 with Retry-After; any other uncaught error, 500.
handler500 = "core.views.server_error"

urlpatterns = [
    # The most requested first (URLs are tried in order): the unread badge's poll, every 30
    # seconds from every open tab, and the inbox and threads.
    path("messaging/", include("inmail.urls")),
    path("", accounts_views.home, name="home"),
    # Django's account views, answering refused forms with 400; the rest of
    # django.contrib.auth.urls (logout, the "done" pages) as they are.
    path("accounts/login/", accounts_views.SignInView.as_view(), name="login"),
    path(
        "accounts/password_change/",
        accounts_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_reset/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("premium/", include("premium.urls")),
    path("", include("accounts.urls")),
]
