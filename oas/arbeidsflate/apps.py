from django.apps import AppConfig


class ArbeidsflateConfig(AppConfig):
    name = "oas.arbeidsflate"
    label = "arbeidsflate"
    verbose_name = "Arbeidsflate"
