"""The interface other apps may use (plain functions and dataclasses; never models)."""

from invoicing.place_details import PlaceDetailsReader, place_details_register

__all__ = ["PlaceDetailsReader", "place_details_register"]
