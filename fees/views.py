"""The public price calculator page (htmx: the form posts back and the calculator block is swapped)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oas import clock
from oas.access.markers import public
from oas.errors import DomainError

from .api import child_input_from
from .engine import HouseholdInput, HouseholdQuote
from .forms import CalculatorForm, ChildFormSet
from .selectors import fee_municipalities_on, fee_quote, municipal_fee_rates_on


def _choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    today = clock.today()
    municipalities = [(m.number, f"{m.name} ({m.number})") for m in fee_municipalities_on(on=today)]
    place_types: list[tuple[str, str]] = []
    if municipalities:
        try:
            rates = municipal_fee_rates_on(municipality_number=municipalities[0][0], on=today)
            place_types = [(p.code, p.name) for p in rates.sfo_place_types]
        except DomainError:
            place_types = []
    return municipalities, place_types


def _apply_engine_errors(exc: DomainError, form: CalculatorForm, formset: Any, rows: list[int]) -> list[str]:
    """Show the engine's field errors next to the fields; return messages that belong to no field."""
    general: list[str] = []
    for path, messages in exc.fields.items():
        parts = path.split(".")
        if parts[0] == "children" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            child_form = formset.forms[rows[int(parts[1])]]
            if parts[2] in child_form.fields:
                for message in messages:
                    child_form.add_error(parts[2], message)
                continue
        if parts[0] in form.fields and parts[0] != "date":
            for message in messages:
                form.add_error(parts[0], message)
            continue
    general.append(exc.message)
    return general


@public
@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    """Show the calculator; on POST compute the household's monthly prices (nothing is stored)."""
    municipalities, place_types = _choices()
    quote: HouseholdQuote | None = None
    general_errors: list[str] = []
    if request.method == "POST":
        form = CalculatorForm(request.POST, municipalities=municipalities)
        formset = ChildFormSet(request.POST, prefix="children", form_kwargs={"place_types": place_types})
        if form.is_valid() and formset.is_valid():
            rows = [i for i, child_form in enumerate(formset.forms) if child_form.is_used()]
            children = []
            for number, index in enumerate(rows, start=1):
                data = dict(formset.forms[index].cleaned_data)
                data["name"] = data.get("name") or _("Barn %(n)d") % {"n": number}
                children.append(child_input_from(data))
            if not children:
                general_errors.append(_("Legg inn minst ett barn."))
            else:
                household = HouseholdInput(annual_income=form.cleaned_data["annual_income"], children=tuple(children))
                try:
                    quote = fee_quote(
                        on=form.cleaned_data["date"],
                        municipality_number=form.cleaned_data["municipality"],
                        household=household,
                    )
                except DomainError as exc:
                    general_errors = _apply_engine_errors(exc, form, formset, rows)
    else:
        form = CalculatorForm(
            initial={"date": clock.today(), "municipality": municipalities[0][0] if municipalities else ""},
            municipalities=municipalities,
        )
        formset = ChildFormSet(prefix="children", form_kwargs={"place_types": place_types})
    context = {
        "form": form,
        "formset": formset,
        "quote": quote,
        "general_errors": general_errors,
        "no_rates": not municipalities,
    }
    template = "fees/_calculator.html" if request.headers.get("HX-Request") else "fees/calculator.html"
    return render(request, template, context)
