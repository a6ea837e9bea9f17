"""The browsable API (development only), without its HTML forms.

DRF's HTML forms offer every related record in their drop-downs, whoever looks:
assignments, recusals and seats would list proposals and people the reader may not
see. The raw JSON form stays, which names nothing."""

from rest_framework.renderers import BrowsableAPIRenderer


class FormlessBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None
