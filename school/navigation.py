"""Menu entries for school: the teacher's groups, the principal's overview, the guardian's school page."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "staff-school-groups",
    label=_("Mine grupper"),
    audience=STAFF,
    order=15,
    url_name="school:my_groups",
    prefixes=("/skole/gruppe/", "/skole/elev/"),
    description=_("Klasser og undervisningsgrupper du underviser, med klasseliste og fraværsføring."),
)
register_nav_item(
    "staff-school-overview",
    label=_("Skoleoversikt"),
    audience=STAFF,
    order=16,
    unit_url_name="school:overview",
    unit_kinds=("school",),
    description=_("Skolens klasser og fravær per klasse."),
)
register_nav_item(
    "staff-school-staffing",
    label=_("Elevtall og bemanning"),
    audience=STAFF,
    order=40,
    unit_url_name="school:staffing",
    unit_kinds=("school",),
    description=_("Elever per trinn, lærerne og lærernormen (høyst 15 elever per lærer i 1.–4. trinn, 20 i 5.–10.)."),
)
register_nav_item("guardian-school", label=_("Skole"), audience=GUARDIAN, order=25, url_name="school:portal_school")
register_nav_item(
    "staff-school-structure",
    label=_("Grupper og lærere"),
    audience=STAFF,
    order=17,
    unit_url_name="school:school_groups",
    unit_kinds=("school",),
    description=_("Skolens klasser og undervisningsgrupper, og hvilke lærere som har dem."),
)
register_nav_item(
    "staff-school-rollover",
    label=_("Skoleårsskifte"),
    audience=STAFF,
    order=18,
    url_name="school:rollover",
    description=_("Alle elever opp ett trinn, nye klasser og 10. trinn ut – forhåndsvis og kjør for hele kommunen."),
)
register_nav_item(
    "guardian-school-leave",
    label=_("Permisjon"),
    audience=GUARDIAN,
    order=26,
    url_name="school:portal_leave",
    description=_("Søk permisjon fra skolen og se vedtakene."),
)
register_nav_item(
    "staff-school-leave",
    label=_("Permisjonssøknader"),
    audience=STAFF,
    order=19,
    unit_url_name="school:school_leave",
    unit_kinds=("school",),
    description=_("Søknader om permisjon fra opplæringen (opplæringslova § 2-2): innvilg eller avslå."),
)
register_nav_item(
    "staff-school-office",
    label=_("Skolekontor"),
    audience=STAFF,
    order=14,
    unit_url_name="school:office",
    unit_kinds=("school",),
    description=_("Skolens elever, klasser, grupper, fravær, permisjoner og skoleårsskiftet på én side."),
)
register_nav_item(
    "staff-school-enrolment",
    label=_("Skoleinnskriving"),
    audience=STAFF,
    order=18,
    url_name="school:enrolment_office",
    description=_(
        "Skolestart fra folkeregisteret: alle seksåringer til nærskolen, brev til foresatte, ønsker om annen skole."
    ),
)
register_nav_item(
    "guardian-school-enrolment",
    label=_("Skolestart"),
    audience=GUARDIAN,
    order=27,
    url_name="school:portal_enrolment",
    description=_("Nærskolen til barnet som begynner på skolen, ønske om annen skole og samtykke fra barnehagen."),
)
register_nav_item(
    "staff-school-iop",
    label=_("Individuelt tilrettelagt opplæring"),
    audience=STAFF,
    order=20,
    url_name="school:iop_list",
    prefixes=("/skole/iop/",),
    description=_(
        "Sakkyndig vurdering, vedtak, individuell opplæringsplan (IOP) og årsrapport for elevene du har ansvar for."
    ),
)
