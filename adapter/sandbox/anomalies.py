"""The anomaly catalogue the sandbox answers with: Annex 30 codes, severity, FR and NL labels.

Codes and severities follow the Dimona glossary 2023/3 (reference §6.8 and the context note
§3.4). The labels are our own short renderings, not the official Annex 30 wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BLOCKING = "B"
NON_BLOCKING = "NP"


@dataclass(frozen=True, slots=True)
class Anomaly:
    code: str
    severity: str
    label_fr: str
    label_nl: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "errorId": self.code,
            "severity": self.severity,
            "labelFr": self.label_fr,
            "labelNl": self.label_nl,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Anomaly:
        return cls(data["errorId"], data["severity"], data["labelFr"], data["labelNl"])


_B, _NP = BLOCKING, NON_BLOCKING

_CATALOGUE: dict[str, tuple[str, str, str]] = {
    # Employer
    "00011-003": (_B, "Numéro ONSS invalide", "Ongeldig RSZ-nummer"),
    "00014-003": (_B, "Numéro d'entreprise invalide", "Ongeldig ondernemingsnummer"),
    "90256-364": (
        _B,
        "Numéro ONSS ou numéro d'entreprise obligatoire",
        "RSZ- of KBO-nummer verplicht",
    ),
    # Worker
    "00024-001": (_B, "NISS manquant", "INSZ ontbreekt"),
    "00024-003": (_B, "NISS invalide", "Ongeldig INSZ"),
    "00024-347": (
        _B,
        "NISS incompatible avec la période",
        "INSZ niet in overeenstemming met de periode",
    ),
    "90017-151": (_B, "Travailleur non identifiable", "Werknemer niet identificeerbaar"),
    "90017-363": (
        _B,
        "NISS ou données d'identification obligatoires",
        "INSZ of identificatiegegevens verplicht",
    ),
    "90017-369": (_NP, "Contingent dépassé", "Contingent overschreden"),
    "90017-510": (
        _NP,
        "Conditions d'accès au flexi-job non remplies",
        "Toegangsvoorwaarden flexi-job niet vervuld",
    ),
    # Features
    "00046-008": (
        _B,
        "Commission paritaire hors domaine Dimona",
        "Paritair comité buiten Dimona-domein",
    ),
    "00655-008": (
        _B,
        "Type de travailleur non autorisé à cette date",
        "Type werknemer niet toegelaten op die datum",
    ),
    "90374-349": (
        _B,
        "Commission paritaire incompatible avec le type de travailleur",
        "Paritair comité onverenigbaar met type werknemer",
    ),
    "90107-001": (
        _B,
        "Bloc utilisateur manquant (intérim)",
        "Blok gebruiker ontbreekt (uitzendarbeid)",
    ),
    "90107-005": (_B, "Bloc utilisateur interdit", "Blok gebruiker verboden"),
    "90107-351": (
        _B,
        "Numéro d'entreprise ou nom de l'utilisateur manquant",
        "Ondernemingsnummer of naam gebruiker ontbreekt",
    ),
    "90107-352": (
        _B,
        "Numéro d'entreprise et nom de l'utilisateur donnés",
        "Ondernemingsnummer en naam gebruiker beide vermeld",
    ),
    # Dates and hours
    "00910-005": (
        _B,
        "Modification de la date de début interdite",
        "Wijziging van de begindatum verboden",
    ),
    "00910-459": (
        _B,
        "Travail occasionnel sur plus de deux jours consécutifs",
        "Gelegenheidsarbeid over meer dan twee opeenvolgende dagen",
    ),
    "00911-003": (_B, "Date de fin invalide", "Ongeldige einddatum"),
    "00911-001": (_B, "Date de fin manquante", "Einddatum ontbreekt"),
    "00911-014": (_B, "Date de fin antérieure à la date de début", "Einddatum voor begindatum"),
    "00777-001": (_B, "Heure de début manquante", "Beginuur ontbreekt"),
    "00777-005": (_B, "Heure de début interdite", "Beginuur verboden"),
    "00778-001": (_B, "Heure de fin manquante", "Einduur ontbreekt"),
    "00778-005": (_B, "Heure de fin interdite", "Einduur verboden"),
    "00778-345": (_B, "Heure de fin antérieure à l'heure de début", "Einduur voor beginuur"),
    "01135-001": (_B, "Nombre d'heures planifiées manquant", "Aantal geplande uren ontbreekt"),
    "01135-005": (_B, "Nombre d'heures planifiées interdit", "Aantal geplande uren verboden"),
    # Functional block 90373: the period declared by an IN
    "90373-333": (_B, "Période Dimona en double", "Dubbele Dimona-periode"),
    "90373-334": (_B, "Période Dimona qui se chevauche", "Overlappende Dimona-periode"),
    "90373-341": (_B, "Période de plus de 24 heures", "Periode langer dan 24 uur"),
    "90373-421": (
        _B,
        "Début et fin doivent être dans le même trimestre",
        "Begin en einde moeten in hetzelfde kwartaal liggen",
    ),
    "90373-460": (_NP, "Déclaration tardive", "Laattijdige aangifte"),
    # Functional block 90378: the period as an UPDATE leaves it
    "90378-333": (_B, "Période Dimona en double", "Dubbele Dimona-periode"),
    "90378-334": (_B, "Période Dimona qui se chevauche", "Overlappende Dimona-periode"),
    "90378-341": (_B, "Période de plus de 24 heures", "Periode langer dan 24 uur"),
    "90378-360": (_B, "Date de début et/ou de fin obligatoire", "Begin- en/of einddatum verplicht"),
    "90378-421": (
        _B,
        "Début et fin doivent être dans le même trimestre",
        "Begin en einde moeten in hetzelfde kwartaal liggen",
    ),
    "90378-444": (_B, "Aucune modification constatée", "Geen wijziging vastgesteld"),
    "90378-460": (_NP, "Déclaration tardive", "Laattijdige aangifte"),
    # Zone 00913: the period an OUT, UPDATE or CANCEL names
    "00913-354": (_B, "Numéro de période Dimona inconnu", "Onbekend Dimona-periodenummer"),
    "00913-355": (_B, "Période déjà annulée", "Periode reeds geannuleerd"),
    "00913-356": (_B, "Période déjà clôturée", "Periode reeds afgesloten"),
    "00913-359": (
        _B,
        "Clôture d'une période par une modification interdite",
        "Afsluiten van een periode via een wijziging verboden",
    ),
    "00913-362": (
        _B,
        "Déclaration sur une période verrouillée interdite",
        "Aangifte op vergrendelde periode verboden",
    ),
    "00913-368": (
        _B,
        "Suppression de la date de fin interdite",
        "Verwijderen van de einddatum verboden",
    ),
}


def anomaly(code: str, severity: str | None = None) -> Anomaly:
    """The catalogue entry for ``code``; unknown codes (scenario hooks) get a generic label."""
    entry = _CATALOGUE.get(code)
    if entry is None:
        return Anomaly(
            code,
            severity or BLOCKING,
            f"Anomalie {code} (forcée par scénario)",
            f"Anomalie {code} (geforceerd door scenario)",
        )
    return Anomaly(code, severity or entry[0], entry[1], entry[2])


def known_codes() -> list[str]:
    return sorted(_CATALOGUE)
