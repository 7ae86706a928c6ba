"""Barnehage (domain app). Other apps use only `kindergarten.public`."""

from django.apps import AppConfig


class KindergartenConfig(AppConfig):
    name = "kindergarten"
    verbose_name = "Barnehage"

    def ready(self) -> None:
        from kindergarten import permissions  # noqa: F401  (registers the placement actions)
        from kindergarten.arbeidsflate import ApplicationsToCheckProvider, OffersExpiringProvider
        from oas.arbeidsflate.registry import registry

        registry.register_task_provider(ApplicationsToCheckProvider())
        registry.register_task_provider(OffersExpiringProvider())
