from django.apps import AppConfig


class ArbeidsflateConfig(AppConfig):
    name = "oas.arbeidsflate"
    label = "arbeidsflate"
    verbose_name = "Arbeidsflate"

    def ready(self) -> None:
        from oas.arbeidsflate.providers import register_kernel_providers

        register_kernel_providers()
