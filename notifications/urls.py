"""The notification pages, inside the language prefixes. The calendar feed is not
here: calendar programs fetch it without a language, so it sits outside the prefixes
(portal/urls.py)."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark, {"read": True}, name="mark_read"),
    path("<int:pk>/unread/", views.mark, {"read": False}, name="mark_unread"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
]
