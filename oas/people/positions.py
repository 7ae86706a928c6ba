"""Position codes (stillingskoder) used in the demo municipality's ERP export.

Roles are derived from these through the mapping table in ``oas.access`` that administrators edit in the
Django admin; this list only gives the demo data and the default mapping one vocabulary.
"""

from __future__ import annotations

POSITIONS: dict[str, str] = {
    # Sector office (oppvekstkontoret)
    "SYSADM": "Systemansvarlig oppvekst",
    "OPPTAK": "Rådgiver opptak",
    "FAKTURA": "Konsulent fakturering",
    "RADGIVER": "Rådgiver oppvekst",
    "RAPPORT": "Analytiker",
    "KOMMUNALSJEF": "Kommunalsjef oppvekst",
    # School
    "REKTOR": "Rektor",
    "ASS_REKTOR": "Assisterende rektor",
    "INSPEKTOR": "Undervisningsinspektør",
    "MERKANTIL": "Konsulent (merkantil)",
    "LEKTOR": "Lektor",
    "LAERER": "Lærer",
    "SPESPED": "Spesialpedagog",
    "FAGARBEIDER": "Barne- og ungdomsarbeider",
    "ASSISTENT": "Assistent",
    "SFO_LEDER": "SFO-leder",
    # Kindergarten
    "STYRER": "Styrer",
    "ASS_STYRER": "Assisterende styrer",
    "PED_LEDER": "Pedagogisk leder",
    "BHG_LAERER": "Barnehagelærer",
}
