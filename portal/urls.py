from allauth.urls import build_provider_urlpatterns
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.feeds import StoriesFeed
from notifications import views as notification_views

from . import health, home, views
from .api.router import router

api_patterns = [
    path("", include(router.urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", permission_classes=[AllowAny]
        ),
        name="docs",
    ),
]

# Errors raised outside views: a database outage is a 503 (portal/db_errors.py).
handler500 = "portal.db_errors.server_error"

urlpatterns = [
    # For load balancers: no language, no redirect, no session (portal/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_patterns)),
    # One sign-in page for everyone, with two-factor: the admins' own go there.
    path("admin/login/", views.admin_sign_in, {"admin_home": "/admin/"}),
    path("admin/", admin.site.urls),
    path("cms-admin/login/", views.admin_sign_in, {"admin_home": "/cms-admin/"}),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # OAuth providers (Wikimedia): their callback URL is registered with the
    # provider, so it must not change with the language.
    path("accounts/", include(build_provider_urlpatterns())),
    # Calendar programs fetch the feed without a language: no prefix, no redirect.
    path(
        "notifications/calendar/<slug:key>.ics",
        notification_views.calendar_feed,
        name="calendar_feed",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages per language: /es/…, /ar/…; English has no prefix. Wagtail comes last.
urlpatterns += i18n_patterns(
    path("stories/feed/", StoriesFeed(), name="stories-feed"),
    path("home/", home.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("affiliates/", include("affiliates.urls")),
    path("grants/", include("grants.urls")),
    path("exports/", include("exports.urls")),
    path("notifications/", include("notifications.urls")),
    path("my-stories/", include("cms.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
