from django.urls import path

from premium import views

app_name = "premium"

urlpatterns = [
    path("", views.my_premium, name="my_premium"),
    path("plans/<slug:slug>/", views.checkout, name="checkout"),
    path("cancel/", views.cancel, name="cancel"),
    path("reactivate/", views.reactivate, name="reactivate"),
    path("open-profile/", views.open_profile, name="open_profile"),
]
