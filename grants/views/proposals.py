"""Pages: proposals (see grants/urls.py)."""

urlpatterns = []
