"""Menu entries for assessment: the teacher's groups and classes, the principal's status, the guardian's results."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "staff-assessment",
    label=_("Vurdering"),
    audience=STAFF,
    order=18,
    url_name="assessment:my_groups",
    prefixes=("/vurdering/gruppe/", "/vurdering/klasse/"),
    description=_("Halvårsvurdering, standpunkt og anmerkninger for gruppene dine, og status for klassen din."),
)
register_nav_item(
    "staff-assessment-school",
    label=_("Vurderingsstatus"),
    audience=STAFF,
    order=19,
    unit_url_name="assessment:school",
    unit_kinds=("school",),
    description=_("Skolens vurderingsstatus per klasse, og låsing av standpunktkarakterer."),
)
register_nav_item(
    "staff-assessment-exams",
    label=_("Eksamenskarakterer"),
    audience=STAFF,
    order=20,
    unit_url_name="assessment:exams",
    unit_kinds=("school",),
    description=_("Registrering av eksamenskarakterer for skolens 10. trinn (fra eksamenskontoret)."),
)
register_nav_item(
    "guardian-assessment", label=_("Vurdering"), audience=GUARDIAN, order=26, url_name="assessment:portal"
)
