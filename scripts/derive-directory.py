#!/usr/bin/env python3
"""Derive the project's seed directory from the research file shared/data/hotlines/hotlines.json.

Run from the repository root:
    python3 scripts/derive-directory.py ../shared/data/hotlines/hotlines.json \
        > crates/antitrata-store/seed/directory.json

What it changes, and nothing else:
- adds French country names and each country's calling code (neither is in the source);
- maps channel labels onto the project's channel vocabulary (tty_711 -> tty, whatsapp_chat -> whatsapp,
  "web (CyberTipline)" -> web, online_tip_form -> online_form);
- maps the free-text hotline languages onto ISO 639-1 codes plus an "interpretation" flag, keeping the
  source text in languages_note;
- records the language each line's name is written in (name_lang) and the line's name in the site's
  languages where it has one (names): descriptive names are translated; a proper name kept as it is
  (an institution's own name for its line) has no translation there, and pages mark it with lang;
- keeps every number, confidence, source URL, source year and note exactly as published.
verified_on stays null: no administrator has verified a line in this system yet.
"""
import json
import sys

FRENCH_NAMES = {
    "BZ": "Belize", "CA": "Canada", "CR": "Costa Rica", "DO": "République dominicaine",
    "SV": "Salvador", "GT": "Guatemala", "HN": "Honduras", "MX": "Mexique",
    "NI": "Nicaragua", "PA": "Panama", "US": "États-Unis",
}
CALLING_CODES = {
    "BZ": "501", "CA": "1", "CR": "506", "DO": "1", "SV": "503", "GT": "502",
    "HN": "504", "MX": "52", "NI": "505", "PA": "507", "US": "1",
}
CHANNELS = {
    "phone": "phone", "sms": "sms", "web_chat": "web_chat", "online_tip_form": "online_form",
    "email": "email", "tty": "tty", "tty_711": "tty", "whatsapp_chat": "whatsapp",
    "chatbot": "chatbot", "in_person": "in_person", "web": "web", "web (CyberTipline)": "web",
    "mobile_app": "mobile_app",
}
LANGUAGE_CODES = {"English": "en", "French": "fr", "Spanish": "es"}

# Each line's name as the research file writes it -> (the language it is written in, its name in
# the site's languages). Proper names keep their own language: a page in another one shows them
# with a lang attribute rather than a made-up translation.
NAMES = {
    "Dedicated national anti-trafficking hotline": ("en", {
        "es": "Línea nacional dedicada contra la trata",
        "en": "Dedicated national anti-trafficking hotline",
        "fr": "Ligne nationale dédiée contre la traite"}),
    "Crime Stoppers Belize": ("en", {}),
    "Canadian Human Trafficking Hotline": ("en", {
        "en": "Canadian Human Trafficking Hotline",
        "fr": "Ligne d’urgence canadienne contre la traite des personnes"}),
    "Ontario's Human Trafficking Helpline (provincial)": ("en", {
        "es": "Línea de ayuda contra la trata de Ontario (provincial)",
        "en": "Ontario's Human Trafficking Helpline (provincial)",
        "fr": "Ligne d’aide contre la traite de l’Ontario (provinciale)"}),
    "9-1-1 (line advertised for trafficking reports)": ("en", {
        "es": "9-1-1 (línea difundida para denunciar la trata)",
        "en": "9-1-1 (line advertised for trafficking reports)",
        "fr": "9-1-1 (ligne annoncée pour signaler la traite)"}),
    "Toll-free trafficking / commercial sexual exploitation report line": ("en", {
        "es": "Línea gratuita de denuncia de trata y explotación sexual comercial",
        "en": "Toll-free trafficking / commercial sexual exploitation report line",
        "fr": "Ligne gratuite de signalement de la traite et de l’exploitation sexuelle commerciale"}),
    "PETT national trafficking hotline": ("en", {
        "es": "Línea nacional contra la trata de la PETT",
        "en": "PETT national trafficking hotline",
        "fr": "Ligne nationale contre la traite de la PETT"}),
    "PNC 911": ("es", {}),
    "Crime Stoppers El Salvador": ("en", {}),
    "1552 (number in the 2009 IOM campaign)": ("en", {
        "es": "1552 (número de la campaña de la OIM de 2009)",
        "en": "1552 (number in the 2009 IOM campaign)",
        "fr": "1552 (numéro de la campagne de l’OIM de 2009)"}),
    "PDH complaints line": ("en", {
        "es": "Línea de denuncias de la PDH",
        "en": "PDH complaints line",
        "fr": "Ligne de plaintes de la PDH"}),
    "PNC police line": ("en", {
        "es": "Línea de la Policía Nacional Civil (PNC)",
        "en": "PNC police line",
        "fr": "Ligne de la Police nationale civile (PNC)"}),
    "SVET emergency mobile application": ("en", {
        "es": "Aplicación móvil de emergencia de la SVET",
        "en": "SVET emergency mobile application",
        "fr": "Application mobile d’urgence de la SVET"}),
    "Línea Nacional de Denuncias contra la Trata de Personas": ("es", {
        "es": "Línea Nacional de Denuncias contra la Trata de Personas"}),
    "CICESCT direct line": ("en", {
        "es": "Línea directa de la CICESCT",
        "en": "CICESCT direct line",
        "fr": "Ligne directe de la CICESCT"}),
    "CICESCT Immediate Response Group": ("en", {
        "es": "Grupo de Respuesta Inmediata de la CICESCT",
        "en": "CICESCT Immediate Response Group",
        "fr": "Groupe d’intervention immédiate de la CICESCT"}),
    "Línea y Chat Nacional contra la Trata de Personas (LNCTP)": ("es", {}),
    "FEVIMTRA (FGR) free line": ("en", {
        "es": "Línea gratuita de la FEVIMTRA (FGR)",
        "en": "FEVIMTRA (FGR) free line",
        "fr": "Ligne gratuite de la FEVIMTRA (FGR)"}),
    "089 Denuncia Anónima": ("es", {}),
    "Línea 133": ("es", {
        "es": "Línea 133",
        "en": "Line 133",
        "fr": "Ligne 133"}),
    "Policía Nacional 104": ("es", {}),
    "Crime Stoppers anonymous web reporting": ("en", {
        "es": "Denuncia anónima en línea de Crime Stoppers",
        "en": "Crime Stoppers anonymous web reporting",
        "fr": "Signalement anonyme en ligne de Crime Stoppers"}),
    "MINSEG anonymous trafficking report lines": ("en", {
        "es": "Líneas de denuncia anónima de trata del MINSEG",
        "en": "MINSEG anonymous trafficking report lines",
        "fr": "Lignes de signalement anonyme de la traite du MINSEG"}),
    "National Human Trafficking Hotline": ("en", {}),
    "DHS tip line": ("en", {
        "es": "Línea de denuncias del DHS",
        "en": "DHS tip line",
        "fr": "Ligne de signalement du DHS"}),
    "NCMEC hotline (child exploitation)": ("en", {
        "es": "Línea del NCMEC (explotación infantil)",
        "en": "NCMEC hotline (child exploitation)",
        "fr": "Ligne du NCMEC (exploitation des enfants)"}),
}


def languages(source):
    codes, interpretation = [], False
    for text in source or []:
        if text in LANGUAGE_CODES:
            codes.append(LANGUAGE_CODES[text])
        else:
            interpretation = True
    return codes, interpretation


def hotline(source):
    codes, interpretation = languages(source["languages"])
    channels = []
    for channel in source["channels"]:
        mapped = CHANNELS[channel]
        if mapped not in channels:
            channels.append(mapped)
    name_lang, names = NAMES[source["name"]]
    return {
        "name": source["name"],
        "name_lang": name_lang,
        "names": names,
        "scope": source["scope"],
        "number": source["number"],
        "number_vanity": source.get("number_vanity"),
        "institution": source["institution"],
        "hours": source["hours"],
        "free": source["free"],
        "channels": channels,
        "languages": codes,
        "interpretation": interpretation,
        "languages_note": "; ".join(source["languages"]) if source["languages"] else None,
        "email": source.get("email"),
        "sms": source.get("sms"),
        "web": source.get("web"),
        "source_urls": source["source_urls"],
        "source_year": source["source_year"],
        "confidence": source["confidence"],
        "verified_on": None,
        "notes": source["notes"],
    }


def country(source):
    iso2 = source["country_iso2"]
    return {
        "iso2": iso2,
        "calling_code": CALLING_CODES[iso2],
        "name_es": source["country_name_es"],
        "name_en": source["country_name_en"],
        "name_fr": FRENCH_NAMES[iso2],
        "emergency_number": source["emergency_number"],
        "emergency_notes": source["emergency_notes"],
        "emergency_source_urls": source["emergency_source_urls"],
        "authority": source["national_authority"],
        "authority_source_urls": source["national_authority_source_urls"],
        "hotlines": [hotline(h) for h in source["hotlines"]],
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        source = json.load(f)
    out = {
        "derived_from": "shared/data/hotlines/hotlines.json by scripts/derive-directory.py",
        "countries": [country(c) for c in source],
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
