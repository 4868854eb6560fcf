"""Who to contact: central and site contacts, links only from values that pass the checks."""
from __future__ import annotations

import json

import pytest

from mstrials.explore.contacts import email_href, phone_href, study_contacts
from mstrials.explore.near_me import Place
from study_factory import make_study

BOSTON = Place(name="Boston, Massachusetts, United States", country="United States", country_code="US",
               latitude=42.35843, longitude=-71.05977)


@pytest.mark.parametrize("phone, ext, href", [
    ("781-487-0008", None, "tel:7814870008"),
    ("+47 97 54 22 52", None, "tel:+4797542252"),
    ("(202) 745.8000", "55828", "tel:2027458000;ext=55828"),
    ("202-745-8000 ext. 123", None, "tel:2027458000;ext=123"),
    ("1-877-575-8489 x42", None, "tel:18775758489;ext=42"),
])
def test_valid_phones_get_a_tel_link(phone, ext, href):
    assert phone_href(phone, ext) == href


@pytest.mark.parametrize("phone, ext", [
    ("12345", None),                       # too few digits
    ("1" * 21, None),                      # too many
    ("555-1234 <script>", None),
    ("javascript:alert(1)", None),
    ("call 555 123 4567", None),
    ("555 123 4567", "12a"),
    ("55+5 123 4567", None),               # + only at the start
    ("(555 123 4567", None),
    ("", None), (None, None), (5551234567, None),
])
def test_anything_else_gets_no_tel_link(phone, ext):
    assert phone_href(phone, ext) is None


@pytest.mark.parametrize("email", ["eam1@stanford.edu", "Clinical.Trials@bms.com", "first+ms@site-1.example.org"])
def test_plain_emails_get_a_mailto_link(email):
    assert email_href(email) == f"mailto:{email}"


@pytest.mark.parametrize("email", ["no at sign", "a@b", "a b@example.org", "<a@example.org>", '"a"@example.org',
                                   "a@example.org?subject=x", "a..b@example.org", "a@-example.org", "a%40@example.org",
                                   "mailto:a@example.org", None, ""])
def test_odd_emails_get_no_mailto_link(email):
    assert email_href(email) is None


def test_a_trailing_newline_is_trimmed_but_an_inner_one_is_refused():
    assert email_href("a@example.org\n") == "mailto:a@example.org"
    assert email_href("a@exa\nmple.org") is None


def contact_study():
    return make_study(contactsLocationsModule={
        "centralContacts": [
            {"name": "Grace O", "role": "CONTACT", "phone": "781-487-0008", "email": "ms@example.org"},
            {"name": "First line of the email MUST contain the site number.", "role": "CONTACT"},
            {"name": "Bad Values", "phone": "tel:555<b>", "email": "x@y"},
            {"role": "CONTACT"},  # nothing to show
        ],
        "locations": [
            {"facility": "New York site", "city": "New York", "country": "United States", "status": "RECRUITING",
             "geoPoint": {"lat": 40.71427, "lon": -74.00597},
             "contacts": [{"name": "Dr NY", "role": "PRINCIPAL_INVESTIGATOR"}]},
            {"facility": "Village site", "city": "Qwzxvtown", "country": "United States",
             "contacts": [{"name": "Pat", "phone": "555 000 1111", "phoneExt": "9", "email": "pat@example.org"}]},
            {"facility": "Cambridge site", "city": "Cambridge", "country": "United States",
             "geoPoint": {"lat": 42.3751, "lon": -71.10561}},
        ],
    })


def test_central_contacts_plain_values_and_only_validated_links():
    contacts = study_contacts(contact_study())
    assert [c.name for c in contacts.central] == ["Grace O", None, "Bad Values"]
    grace, note, bad = contacts.central
    assert note.note == "First line of the email MUST contain the site number."
    assert note.as_text() == "unnamed contact (contact) · note: First line of the email MUST contain the site number."
    assert (grace.role, grace.phone_href, grace.email_href) == ("contact", "tel:7814870008", "mailto:ms@example.org")
    assert grace.as_text() == "Grace O (contact) · 781-487-0008 · ms@example.org"
    assert note.phone is None and note.phone_href is None and note.email_href is None
    assert bad.phone == "tel:555<b>" and bad.phone_href is None
    assert bad.email == "x@y" and bad.email_href is None


@pytest.mark.parametrize("name", [
    "Use the central contact for this site",
    "Please send an e-mail and put the trial number in the subject line",
    "For recruitment questions, call the coordinating centre",
    "E-mail first; the subject should give the study code",
    "Contact the study team through the sponsor's trial information line for this country",
])
def test_directions_in_the_name_field_become_a_note_not_a_person(name):
    study = make_study(contactsLocationsModule={"centralContacts": [{"name": name, "phone": "555 123 4567"}]})
    (contact,) = study_contacts(study).central
    assert contact.name is None and contact.note == name
    assert contact.phone_href == "tel:5551234567"


@pytest.mark.parametrize("name", [
    "Grace Okafor", "Prof. Dr. med. Jan van der Berg, PhD", "Clinical Trials Information Desk", "Recruitment Office",
    "Study Coordinator", "Site 0412", "Contact Person",
])
def test_people_and_offices_stay_names(name):
    study = make_study(contactsLocationsModule={"centralContacts": [{"name": name}]})
    (contact,) = study_contacts(study).central
    assert contact.name == name and contact.note is None


def test_site_contacts_keep_registry_order_without_a_place_and_go_nearest_first_with_one():
    plain = study_contacts(contact_study())
    assert [s.facility for s in plain.sites] == ["New York site", "Village site", "Cambridge site"]
    assert plain.sites[0].contacts[0].role == "principal investigator"
    pat = plain.sites[1].contacts[0]
    assert pat.phone == "555 000 1111 ext. 9" and pat.phone_href == "tel:5550001111;ext=9"
    near = study_contacts(contact_study(), BOSTON)
    # Cambridge (~4 km), New York (~306 km), then the village that can only be put at the country's centre.
    assert [s.facility for s in near.sites] == ["Cambridge site", "New York site", "Village site"]
    assert near.sites[0].distance_km < 6 and 300 < near.sites[1].distance_km < 312
    assert near.sites[2].distance_km is None


def test_a_record_without_contacts_module_has_none():
    study = make_study()
    del study["protocolSection"]["contactsLocationsModule"]
    contacts = study_contacts(study)
    assert contacts.central == () and contacts.sites == () and not contacts.any


def test_real_partial_records_give_contacts_with_links(ctgov_dir):
    study = json.loads((ctgov_dir / "studies_partial" / "NCT06441617.json").read_text())
    contacts = study_contacts(study)
    assert contacts.central and contacts.central[0].email_href and contacts.central[0].phone_href
    assert all(c.phone_href.startswith("tel:") for c in contacts.central if c.phone_href)
    washington = next(s for s in contacts.sites if s.city == "Washington D.C.")
    first = washington.contacts[0]
    assert first.phone_href.endswith(";ext=55828") and first.phone.endswith("ext. 55828")
    bms = json.loads((ctgov_dir / "studies_partial" / "NCT06408259.json").read_text())
    central = study_contacts(bms).central
    # The second "contact" is an instruction, not a person: shown as text, no links.
    assert central[1].phone_href is None and central[1].email_href is None
    near_boston = study_contacts(bms, BOSTON).sites
    distances = [s.distance_km for s in near_boston if s.distance_km is not None]
    assert distances == sorted(distances) and len(distances) == len(near_boston)


@pytest.mark.parametrize("invisible", ["\u2060", "\u200b", "\u200e", "\ufeff"])
def test_invisible_characters_pasted_into_contacts_are_dropped(invisible):
    study = make_study(contactsLocationsModule={"centralContacts": [
        {"name": f"Trial{invisible} Desk", "email": f"desk@{invisible}example.org", "phone": f"555{invisible} 123 4567"}]})
    (contact,) = study_contacts(study).central
    assert contact.name == "Trial Desk"
    assert contact.email == "desk@example.org" and contact.email_href == "mailto:desk@example.org"
    assert contact.phone_href == "tel:5551234567"


def test_a_value_of_invisible_characters_only_is_no_value():
    study = make_study(contactsLocationsModule={"centralContacts": [{"name": "\u200b\u2060", "email": "a@example.org"}]})
    (contact,) = study_contacts(study).central
    assert contact.name is None
