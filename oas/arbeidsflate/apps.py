from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbeidsflateConfig(AppConfig):
    """The workspace: the registry and the pages. The tasks live with their apps (``<app>/arbeidsflate.py``)."""

    name = "oas.arbeidsflate"
    label = "arbeidsflate"
    verbose_name = _("Arbeidsflate")
