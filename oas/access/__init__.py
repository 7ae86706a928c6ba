"""Roles and access control: ONE mechanism for every page, API view, list and object.

How to use it from an app (kindergarten, fees, integrations, …)
------------------------------------------------------------------
1. Declare your actions in ``<app>/permissions.py`` and import that module in ``AppConfig.ready()``::

       from oas.access.actions import register_action
       from oas.access.resources import register_resource
       from oas.access.roles import Role

       register_resource(Application, resource="kindergarten.application", person_field="child", unit_field="unit")
       APPLICATION_DECIDE = register_action(
           "kindergarten.application.decide", label=_("Behandle søknad"), resource="kindergarten.application",
           global_roles=[Role.SECTOR_ADMISSION], unit_roles=[Role.UNIT_LEADER],
       )

   Rules are OR'ed: global roles (the role's own municipality: its org tree and the children resident there),
   unit roles (the unit and its subtree, reached through
   ``unit_field`` or the child's current/future Placement), group roles (the group's children),
   ``guardian_side=True`` (the relation policy, point 5 below: guardians with foreldreansvar and foster parents;
   pick-up persons per the municipality's ``GuardianAccessSettings``; a parent without foreldreansvar gets nothing), ``self_allowed``,
   ``account_kinds`` (any staff/guardian account: landing pages), and explicit time-limited grants
   (``AccessGrant`` in the admin, stored as django-guardian object permissions).
   Kernel actions are in ``oas/access/permissions.py`` (``child.read``, ``child.read_contacts``,
   ``child.read_special_needs``, ``child.audit_innsyn``, ``person.read_protected_address``,
   ``unit.read_snapshot``, ``unit.read_staff``, ``workspace.view``, ``portal.view``, ``audit.search``, …).

2. Declare what each view needs — deny by default (``oas.access.middleware.AccessMiddleware``): a view
   that is neither ``@public`` nor declares actions is refused (403) for everyone.
   - function views: ``@requires("kindergarten.application.decide")`` (``oas.access.markers``)
   - class-based views: ``ActionRequiredMixin`` with ``required_actions = ("…",)``
   - DRF views: ``required_actions = ("…",)`` on the class; the default permission class
     ``oas.access.drf.DeclaredActions`` enforces it (set in ``REST_FRAMEWORK``).
   - ``@public`` (``oas.access.markers.public``) for pages anyone may open (front page, login, /healthz).
   The declaration is a coarse gate ("has this action somewhere"); check the object inside the view.

3. Check objects and filter lists (all importable from ``oas.access.selectors``):
   - ``access_object(user=, queryset=, id=, action=, audit_event=)`` / ``access_child(user=, id=)`` fetch and
     authorise together; not allowed → ``AccessNotFound`` (404, never 403) plus a ``denied`` audit row.
   - ``access_queryset(user=, action=, queryset=)`` / ``access_filter(user=, action=, model=)``: the list
     filter, a database ``Q`` (one SQL query, no per-row checks). ``access_unit_prefixes(user=, action=)`` is
     the same filter on org units as path prefixes, for hot paths written as one fixed SQL statement.
   - ``has_action(user=, action=, target=)``; ``has_action_anywhere(user=, action=)``.
   - ``permitted_actions(user=, target=)`` for API responses (one query); for lists
     ``permitted_actions_many(user=, targets=)`` → ``{pk: codes}`` (one query for the whole list, never one per row).
   - templates: ``{% load access %}{% has_action "child.read_contacts" child as can %}``.

4. Protected addresses (``oas.access.privacy``): take addresses from ``person_contact_view(user=, person=)``
   and placements from ``child_placements_view(user=, child=)`` — never from model fields — in pages,
   exports and letters. Fortrolig/strengt fortrolig children and the guardian they live with have their
   address blanked unless the user holds ``person.read_protected_address`` (explicit grant) or is the
   person; for strengt fortrolig the unit is hidden from an adult not living with the child.

5. Which adults may do what for a child (``oas.access.relations``, exported by ``oas.access.selectors``): ONE
   relation policy for every module. ``ChildRight.INFORMATION`` (guardians with foreldreansvar, resident or not —
   barneloven § 47 — and foster parents), ``RESIDENCE`` (§ 37: apply, answer offers, end the place, absence
   "inntil videre": the guardian the child lives with, or a foster parent), ``PICKUP`` (guardians, foster
   parents, pick-up persons) and ``WHEREABOUTS`` (information that names the unit: never the adult who does not
   live with a strengt fortrolig child). Guardian-side actions say which right they need
   (``register_action(..., relation_right="residence")``). Recipients: ``child_adult_ids(child_ids=, right=)``;
   SQL: ``relation_q(right=)`` with ``relation_active_q()``; the logged-in adult: ``user_child_ids(user=, right=)``,
   ``user_has_child_right(user=, child_id=, right=)``, ``may_learn_whereabouts(user=, child=)``. Never write
   ``PersonRelation.objects.filter(kind=RelationKind.GUARDIAN)`` for an output or a decision.

6. Audit: ``oas.audit.services.audit_record`` for writes, ``audit_read(event=, person_ids=)`` for reads
   (pages, API responses, exports); acting role and the person's name are filled in by the middleware.

Roles are derived (``oas.access.roles``): ``RoleMapping`` (admin-edited; default via
``manage.py seed_role_mapping``) maps ``Employment.position_code`` and ``GroupAssignment.role`` to roles,
stored in ``RoleAssignment`` with validity. Saving/deleting Employment, GroupAssignment or Employee
recomputes; bulk importers call ``oas.access.services.roles_recompute_for_employees(employee_ids=…)``.
A current system administrator role gives the staff account ``is_staff``/``is_superuser`` (Django admin).
"""
