"""Pages: public (see grants/urls.py)."""

urlpatterns = []
