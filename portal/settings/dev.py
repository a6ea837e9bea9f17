"""Local development: DEBUG on, a throwaway secret, tasks run in the request."""

from .base import *  # noqa: F403
from .base import CSP_PATH_DIRECTIVES, REST_FRAMEWORK, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="dev-only-secret-not-for-production-use-0123456789"
)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.api.renderers.FormlessBrowsableAPIRenderer",
    ],
}
# Passkeys need a secure context: http://localhost:8000 works (127.0.0.1 does not,
# WebAuthn refuses IP addresses as relying party).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# The browsable API (development only) styles its pages inline.
CSP_PATH_DIRECTIVES = {
    **CSP_PATH_DIRECTIVES,
    "/api/": {"style-src": ["'self'", "'unsafe-inline'"]},
}
