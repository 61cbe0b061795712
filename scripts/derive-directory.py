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
    return {
        "name": source["name"],
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
