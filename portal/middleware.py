"""Language selection: pages by URL prefix, the API by Accept-Language."""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages carry their language in the URL (/ar/…); API clients ask for one with
    Accept-Language, so that errors come back in the user's language."""

    NEGOTIATED_PREFIXES = ("/api/",)

    def process_request(self, request):
        if request.path_info.startswith(self.NEGOTIATED_PREFIXES):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
