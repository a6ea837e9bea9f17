"""The affiliate pages, inside the language prefixes (portal/urls.py)."""

from . import views

app_name = "affiliates"

urlpatterns = [*views.urlpatterns]
