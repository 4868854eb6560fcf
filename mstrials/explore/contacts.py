"""Who to contact about a trial: its central contacts and each site's contacts, from the raw record.

Registry text is untrusted, so every value is returned as plain text, and a `tel:` or `mailto:`
link is made only from a value that passes a strict check; anything else stays text only.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mstrials.explore import near_me, places

ROLE_WORDS = {
    "CONTACT": "contact",
    "PRINCIPAL_INVESTIGATOR": "principal investigator",
    "SUB_INVESTIGATOR": "sub-investigator",
    "STUDY_CHAIR": "study chair",
    "STUDY_DIRECTOR": "study director",
}

_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-.]+")
# "ext. 123", "ext 123", "x123", "extension 123" at the end of a phone value.
_PHONE_EXTENSION = re.compile(r"\s*(?:,|;)?\s*(?:ext(?:ension)?\.?|x|#)\s*([0-9]{1,8})\s*$", re.IGNORECASE)
_EXTENSION_ONLY = re.compile(r"[0-9]{1,8}")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 20
# Registries put directions in the name field ("Use the central contact", "Email first: subject MUST
# give the site number"). Such a value is kept as a note, never shown as if it were a person.
_INSTRUCTION_START = re.compile(
    r"^(?:please|use|see|call|phone|e-?mail|send|write|refer|contact\s+(?:the|us|our)|for\s|if\s|to\s)", re.IGNORECASE)
_INSTRUCTION_WORD = re.compile(r"\b(?:must|please|should|include|subject line|first line)\b", re.IGNORECASE)
MAX_NAME_WORDS = 8
# Conservative on purpose: letters, digits and . _ + - before the @, dotted labels after, a
# letter-only top-level domain. No spaces, quotes, angle brackets, percent signs or "..".
_EMAIL = re.compile(
    r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)


def _text(value: Any) -> str | None:
    """A registry value as plain text, without invisible format characters (word joiners, zero-width
    spaces, direction marks): pasted into registries by accident, they break a copied e-mail address."""
    if not isinstance(value, str):
        return None
    visible = "".join(character for character in value if unicodedata.category(character) != "Cf").strip()
    return visible or None


def is_instruction(name: str) -> bool:
    """True when a contact's "name" reads as directions rather than a person or an office."""
    return (len(name.split()) > MAX_NAME_WORDS or bool(_INSTRUCTION_START.match(name))
            or bool(_INSTRUCTION_WORD.search(name)))


def phone_href(phone: Any, extension: Any = None) -> str | None:
    """`tel:` link for a phone value that is only digits, spaces, + - ( ) . and an extension.

    6-20 digits; "+" only at the start; the extension (in the value or given apart) goes in as
    RFC 3966 ";ext=". None for anything else.
    """
    phone = _text(phone)
    if phone is None:
        return None
    ext = None
    found = _PHONE_EXTENSION.search(phone)
    if found:
        ext, phone = found.group(1), phone[: found.start()].strip()
    extension = _text(extension)
    if extension is not None:
        if not _EXTENSION_ONLY.fullmatch(extension) or ext is not None:
            return None
        ext = extension
    if not _PHONE_CHARACTERS.fullmatch(phone) or phone.count("(") != phone.count(")"):
        return None
    digits = re.sub(r"[^0-9]", "", phone)
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return f"tel:{'+' if phone.startswith('+') else ''}{digits}{f';ext={ext}' if ext else ''}"


def email_href(email: Any) -> str | None:
    """`mailto:` link for a plainly shaped e-mail address, else None."""
    email = _text(email)
    if email is None or len(email) > 254 or not _EMAIL.fullmatch(email):
        return None
    return f"mailto:{email}"


@dataclass(frozen=True)
class Contact:
    name: str | None
    role: str | None          # plain words: "contact", "principal investigator"
    phone: str | None         # as the registry gives it, extension appended ("202-745-8000 ext. 55828")
    email: str | None
    phone_href: str | None    # tel: link, only when the phone passed the check
    email_href: str | None    # mailto: link, only when the address passed the check
    note: str | None = None   # directions the registry gave in the name field, shown as a note

    def as_text(self) -> str:
        """One plain line: "Grace Okafor (contact) · 781-487-0008 · cafe-ms@example.org"."""
        who = self.name or "unnamed contact"
        if self.role:
            who += f" ({self.role})"
        note = f"note: {self.note}" if self.note else None
        return " · ".join(part for part in (who, self.phone, self.email, note) if part)


@dataclass(frozen=True)
class SiteContacts:
    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    status: str | None
    contacts: tuple[Contact, ...]
    distance_km: float | None = None  # to the place given, when the site could be measured

    def where(self) -> str:
        return ", ".join(part for part in (self.facility, self.city, self.state, self.country) if part)


@dataclass(frozen=True)
class TrialContacts:
    central: tuple[Contact, ...]
    sites: tuple[SiteContacts, ...] = field(default=())

    @property
    def any(self) -> bool:
        return bool(self.central) or any(site.contacts for site in self.sites)


def _contact(raw: Any) -> Contact | None:
    if not isinstance(raw, dict):
        return None
    name, phone, ext, email = (_text(raw.get(key)) for key in ("name", "phone", "phoneExt", "email"))
    role = _text(raw.get("role"))
    if not any((name, phone, email)):
        return None
    note = None
    if name and is_instruction(name):
        name, note = None, name
    shown_phone = phone
    if phone and ext:
        shown_phone = f"{phone} ext. {ext}"
    elif ext and not phone:
        shown_phone = f"ext. {ext}"
    return Contact(
        name=name,
        role=ROLE_WORDS.get(role, role.lower().replace("_", " ") if role else None),
        phone=shown_phone,
        email=email,
        phone_href=phone_href(phone, ext) if phone else None,
        email_href=email_href(email),
        note=note,
    )


def _contacts(raw_list: Any) -> tuple[Contact, ...]:
    if not isinstance(raw_list, list):
        return ()
    return tuple(contact for contact in map(_contact, raw_list) if contact is not None)


def study_contacts(study: dict, place: near_me.Place | None = None) -> TrialContacts:
    """The central contacts and every site with its contacts; sites nearest first when `place` is given.

    Without a place the registry's site order is kept. Sites that could be placed only at their
    country's centre (or not at all) have no distance and come after the measured ones.
    """
    section = study.get("protocolSection") if isinstance(study, dict) else None
    module = section.get("contactsLocationsModule") if isinstance(section, dict) else None
    module = module if isinstance(module, dict) else {}
    locations = [location for location in module.get("locations") or [] if isinstance(location, dict)] \
        if isinstance(module.get("locations"), list) else []
    distances: list[float | None] = [None] * len(locations)
    if place is not None and locations:
        placed = places.place_sites(pd.DataFrame(places.study_sites({"protocolSection": {
            "contactsLocationsModule": {"locations": locations}}})))
        measurable = placed["placed_by"].isin((places.PLACED_BY_SITE, places.PLACED_BY_CITY)).to_numpy()
        km = near_me.haversine_km(placed["lat"].to_numpy(dtype="float64"), placed["lon"].to_numpy(dtype="float64"),
                                  place.latitude, place.longitude)
        distances = [float(d) if ok else None for d, ok in zip(km, measurable)]
    sites = [
        SiteContacts(
            facility=_text(location.get("facility")), city=_text(location.get("city")),
            state=_text(location.get("state")), country=_text(location.get("country")),
            status=_text(location.get("status")), contacts=_contacts(location.get("contacts")),
            distance_km=distance,
        )
        for location, distance in zip(locations, distances)
    ]
    if place is not None:
        sites.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0.0))  # stable: ties keep registry order
    return TrialContacts(central=_contacts(module.get("centralContacts")), sites=tuple(sites))
