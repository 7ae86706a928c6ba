from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "oas.people"
    label = "people"
    verbose_name = _("Personer")

    def ready(self) -> None:
        from oas.arbeidsflate.registry import registry
        from oas.people.arbeidsflate import TASKS

        registry.register_task_providers(TASKS)
