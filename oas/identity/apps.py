from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "oas.identity"
    label = "identity"
    verbose_name = _("Innlogging")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from oas.identity import checks  # noqa: F401 - registers the system checks
        from oas.identity.session_lifetime import session_mark_login

        user_logged_in.connect(session_mark_login, dispatch_uid="oas.identity.session_mark_login")
