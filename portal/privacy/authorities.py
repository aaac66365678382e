"""The German supervisory authorities for the private sector, one per state (Art. 77 GDPR:
the customer may complain there). Kept as data; check addresses when the notice is reviewed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Authority:
    code: str
    state: str
    name: str
    address: str
    website: str


AUTHORITIES = (
    Authority(
        "BW",
        "Baden-Württemberg",
        "Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Baden-Württemberg",
        "Lautenschlagerstraße 20, 70173 Stuttgart",
        "https://www.baden-wuerttemberg.datenschutz.de",
    ),
    Authority(
        "BY",
        "Bayern",
        "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)",
        "Promenade 18, 91522 Ansbach",
        "https://www.lda.bayern.de",
    ),
    Authority(
        "BE",
        "Berlin",
        "Berliner Beauftragte für Datenschutz und Informationsfreiheit",
        "Alt-Moabit 59–61, 10555 Berlin",
        "https://www.datenschutz-berlin.de",
    ),
    Authority(
        "BB",
        "Brandenburg",
        "Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg",
        "Stahnsdorfer Damm 77, 14532 Kleinmachnow",
        "https://www.lda.brandenburg.de",
    ),
    Authority(
        "HB",
        "Bremen",
        "Die Landesbeauftragte für Datenschutz und Informationsfreiheit der Freien Hansestadt Bremen",
        "Arndtstraße 1, 27570 Bremerhaven",
        "https://www.datenschutz.bremen.de",
    ),
    Authority(
        "HH",
        "Hamburg",
        "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit",
        "Ludwig-Erhard-Straße 22, 20459 Hamburg",
        "https://datenschutz-hamburg.de",
    ),
    Authority(
        "HE",
        "Hessen",
        "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit",
        "Gustav-Stresemann-Ring 1, 65189 Wiesbaden",
        "https://datenschutz.hessen.de",
    ),
    Authority(
        "MV",
        "Mecklenburg-Vorpommern",
        "Der Landesbeauftragte für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern",
        "Werderstraße 74a, 19055 Schwerin",
        "https://www.datenschutz-mv.de",
    ),
    Authority(
        "NI",
        "Niedersachsen",
        "Der Landesbeauftragte für den Datenschutz Niedersachsen",
        "Prinzenstraße 5, 30159 Hannover",
        "https://www.lfd.niedersachsen.de",
    ),
    Authority(
        "NW",
        "Nordrhein-Westfalen",
        "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen",
        "Kavalleriestraße 2–4, 40213 Düsseldorf",
        "https://www.ldi.nrw.de",
    ),
    Authority(
        "RP",
        "Rheinland-Pfalz",
        "Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz",
        "Hintere Bleiche 34, 55116 Mainz",
        "https://www.datenschutz.rlp.de",
    ),
    Authority(
        "SL",
        "Saarland",
        "Unabhängiges Datenschutzzentrum Saarland",
        "Fritz-Dobisch-Straße 12, 66111 Saarbrücken",
        "https://www.datenschutz.saarland.de",
    ),
    Authority(
        "SN",
        "Sachsen",
        "Die Sächsische Datenschutz- und Transparenzbeauftragte",
        "Devrientstraße 5, 01067 Dresden",
        "https://www.datenschutz.sachsen.de",
    ),
    Authority(
        "ST",
        "Sachsen-Anhalt",
        "Der Landesbeauftragte für den Datenschutz Sachsen-Anhalt",
        "Otto-von-Guericke-Straße 34a, 39104 Magdeburg",
        "https://datenschutz.sachsen-anhalt.de",
    ),
    Authority(
        "SH",
        "Schleswig-Holstein",
        "Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein",
        "Holstenstraße 98, 24103 Kiel",
        "https://www.datenschutzzentrum.de",
    ),
    Authority(
        "TH",
        "Thüringen",
        "Thüringer Landesbeauftragter für den Datenschutz und die Informationsfreiheit",
        "Häßlerstraße 8, 99096 Erfurt",
        "https://www.tlfdi.de",
    ),
)

BY_CODE = {authority.code: authority for authority in AUTHORITIES}
