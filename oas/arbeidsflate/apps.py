from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbeidsflateConfig(AppConfig):
    name = "oas.arbeidsflate"
    label = "arbeidsflate"
    verbose_name = _("Arbeidsflate")

    def ready(self) -> None:
        from oas.arbeidsflate.providers import register_kernel_providers

        register_kernel_providers()
