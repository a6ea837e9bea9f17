"""Pages: reports (see grants/urls.py)."""

urlpatterns = []
