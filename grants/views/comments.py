"""Pages: comments (see grants/urls.py)."""

urlpatterns = []
