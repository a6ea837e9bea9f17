"""Members' story pages (writing a story, sending it to the board), inside the
language prefixes (portal/urls.py). The published stories are Wagtail's pages."""

from . import views

app_name = "cms"

urlpatterns = [*views.urlpatterns]
