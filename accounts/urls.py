from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/blocked/<int:member_id>/unblock/", views.unblock, name="unblock"),
    path("mynetwork/", views.my_network, name="my_network"),
    path("search/", views.search, name="search"),
    path("in/<slug:slug>/", views.profile, name="profile"),
    path("in/<slug:slug>/connect/", views.connect, name="connect"),
    path("in/<slug:slug>/remove/", views.connection_remove, name="connection_remove"),
    path("in/<slug:slug>/block/", views.block, name="block"),
    path(
        "invitations/<int:invitation_id>/accept/", views.invitation_accept, name="invitation_accept"
    ),
    path(
        "invitations/<int:invitation_id>/ignore/", views.invitation_ignore, name="invitation_ignore"
    ),
    path(
        "invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
]
