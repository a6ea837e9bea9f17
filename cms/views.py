"""Pages where members write learning stories and send them to the board."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("", not_built, name="my_stories"),
    path("new/", not_built, name="story_new"),
    path("<int:pk>/", not_built, name="story"),
    path("<int:pk>/edit/", not_built, name="story_edit"),
]
