"""Affiliate pages: the directory, profiles, joining, the dashboard, annual
reports (thin views over the services and reader rules)."""

urlpatterns = []
