"""Mechanism labels, groups and plain-language explanations for the app, from the vocabulary.

The app never hard-codes the mechanism list: it asks mstrials.labels.vocabulary, and when that cannot
be loaded (an older checkout, a broken data file) it still shows every key found in the data,
with a readable name, so no trial disappears from the filters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

FALLBACK_GROUP = "Mechanisms"


@dataclass(frozen=True)
class Mechanism:
    key: str
    label: str
    group: str
    explanation: str = ""


@dataclass(frozen=True)
class MechanismCatalogue:
    mechanisms: dict[str, Mechanism]
    groups: dict[str, list[str]] = field(default_factory=dict)  # ordered: group -> keys
    from_vocabulary: bool = True

    def label(self, key: str) -> str:
        mechanism = self.mechanisms.get(key)
        return mechanism.label if mechanism else humanise(key)

    def explanation(self, key: str) -> str:
        mechanism = self.mechanisms.get(key)
        return mechanism.explanation if mechanism else ""

    def group_of(self, key: str) -> str:
        mechanism = self.mechanisms.get(key)
        return mechanism.group if mechanism else FALLBACK_GROUP

    def ordered_keys(self) -> list[str]:
        return [key for keys in self.groups.values() for key in keys]


def humanise(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _from_vocabulary() -> MechanismCatalogue | None:
    try:
        from mstrials.labels.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    except Exception:  # noqa: BLE001 - any failure means "use the fallback", never a broken page
        return None
    mechanisms = {}
    for key, entry in vocabulary.mechanisms.items():
        mechanisms[key] = Mechanism(
            key=key,
            label=str(getattr(entry, "label", None) or humanise(key)),
            group=str(getattr(entry, "group", None) or FALLBACK_GROUP),
            explanation=str(getattr(entry, "explanation", None) or getattr(entry, "description", "") or ""),
        )
    groups = {str(group): [k for k in keys if k in mechanisms] for group, keys in dict(vocabulary.groups).items()}
    return MechanismCatalogue(mechanisms=mechanisms, groups=groups, from_vocabulary=True)


def load_catalogue(keys_in_data: Iterable[str] = ()) -> MechanismCatalogue:
    """The vocabulary's mechanisms, plus any key found in the data that the vocabulary lacks."""
    catalogue = _from_vocabulary() or MechanismCatalogue(mechanisms={}, groups={}, from_vocabulary=False)
    known = set(catalogue.mechanisms)
    extra = sorted(set(keys_in_data) - known)
    if not extra:
        return catalogue
    mechanisms = dict(catalogue.mechanisms)
    groups = {group: list(keys) for group, keys in catalogue.groups.items()}
    for key in extra:
        mechanisms[key] = Mechanism(key=key, label=humanise(key), group=FALLBACK_GROUP)
        groups.setdefault(FALLBACK_GROUP, []).append(key)
    return MechanismCatalogue(mechanisms=mechanisms, groups=groups, from_vocabulary=catalogue.from_vocabulary)
