from django.urls import path

from inmail import stream, views

app_name = "inmail"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unread/", views.unread_count, name="unread_count"),
    path("stream/", stream.stream, name="stream"),
    path("new/", views.new_message, name="new_message"),
    path("compose/<slug:slug>/", views.compose, name="compose"),
    path("thread/<int:conversation_id>/", views.thread, name="thread"),
    path("thread/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("thread/<int:conversation_id>/answer/", views.answer, name="answer"),
    path("thread/<int:conversation_id>/archive/", views.archive, name="archive"),
    path("thread/<int:conversation_id>/unarchive/", views.unarchive, name="unarchive"),
    path("thread/<int:conversation_id>/spam/", views.report_spam, name="spam"),
    path("thread/<int:conversation_id>/unread/", views.mark_unread, name="mark_unread"),
    path("thread/<int:conversation_id>/read/", stream.read, name="read"),
    path("thread/<int:conversation_id>/typing/", stream.typing, name="typing"),
]
