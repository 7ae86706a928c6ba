"""Who a letter is addressed to, following SvarUt's rules and never revealing a protected address."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from integrations.svarut.mapping import Mottaker
from oas.errors import ValidationError
from oas.people.models import Person

_POSTCODE_LINE = re.compile(r"^(\d{4})\s+(.+)$")


def parse_postal_address(text: str) -> tuple[list[str], str, str]:
    """Split a free-text postadresse into address lines, postnummer and poststed (last line ``0123 STED``)."""
    lines = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    postnummer = poststed = ""
    if lines:
        match = _POSTCODE_LINE.match(lines[-1])
        if match:
            postnummer, poststed = match.group(1), match.group(2)
            lines = lines[:-1]
    return lines[:3], postnummer, poststed


def letter_recipient_for(person: Person) -> tuple[Mottaker, bool]:
    """Return the SvarUt mottaker for ``person`` and whether the letter must be kunDigitalLevering.

    Digital delivery needs the fødselsnummer (``digitalId``); SvarUt falls back to print, which needs a postal
    address. For a person with adressebeskyttelse (fortrolig/strengt fortrolig) the residential address is never
    used: only the open postadresse the authorities administer, or digital-only delivery when there is none.
    """
    digital_id = person.national_id or ""
    if person.has_protected_address or person.postal_address.strip():
        lines, postnummer, poststed = parse_postal_address(person.postal_address)
    else:
        street = " ".join(part for part in (person.street_address, person.unit_number) if part)
        lines = [street] if street else []
        postnummer, poststed = person.postal_code, person.postal_place
    has_address = bool(lines and postnummer and poststed)
    if not has_address and not digital_id:
        raise ValidationError(
            _("Mottakeren har verken fødselsnummer (digital post) eller postadresse; brevet kan ikke sendes."),
            code="letter_no_address",
        )
    mottaker = Mottaker(
        navn=person.full_name,
        digital_id=digital_id,
        adresselinje1=lines[0] if has_address else "",
        adresselinje2=lines[1] if has_address and len(lines) > 1 else "",
        adresselinje3=lines[2] if has_address and len(lines) > 2 else "",
        postnummer=postnummer if has_address else "",
        poststed=poststed if has_address else "",
    )
    return mottaker, not has_address
