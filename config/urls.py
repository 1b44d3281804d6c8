from django.contrib import admin
from django.urls import include, path

from accounts.views import SignInView, home

admin.site.site_header = "InMail administration"
admin.site.site_title = "InMail admin"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
]
