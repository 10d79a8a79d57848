"""Build the name lexicons that kvalitet.pii ships (kvalitet/pii/lexicon/*.txt).

    pip install 'faker==40.63.0'          # the `lexicon` extra; only needed to rebuild
    apt-get install wswedish              # Debian's Swedish word list, /usr/share/dict/swedish
    python scripts/build_name_lexicon.py

Sources, all read here and never at run time:
  * Faker (MIT, joke2k/faker), person providers: sv_SE (first names: Isof's top 500 per sex,
    2023; surnames: Skatteverket's top 500, 2025) and the locales of the name origins common in
    Sweden (Finnish, Danish, Norwegian, Polish, Turkish, Bosnian/Croatian/Slovene, German,
    Dutch, Irish, English, Spanish/Chilean, Italian, French, Baltic, Romanian, Hungarian, Czech,
    Icelandic, Pakistani and Indian English, Kenyan and Swahili, Indonesian, Vietnamese, romanised
    Chinese and Japanese, Uzbek, Azerbaijani); Russian, Ukrainian, Bulgarian and Macedonian
    names transliterated to Latin letters the Swedish way and the English way.
  * scripts/name_supplement.txt: hand-written names for origins Faker has only in non-Latin
    script or not at all (Arabic, Somali, Persian, Kurdish, Afghan, Eritrean, Bosnian/Albanian,
    Vietnamese, Chinese, Thai).
  * Debian's wswedish word list (/usr/share/dict/swedish, ISO-8859-1): used only to mark which
    names are also everyday Swedish words ("Per", "Klara", "Björk", "Rosa") and to list proper
    nouns there that are no person names (places, countries, papers). Only those two derived
    lists are written, not the word list.

Output, one entry a line, sorted: first_names.txt, surnames.txt, common_words.txt (lower case),
proper_nouns.txt.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "kvalitet" / "pii" / "lexicon"
SUPPLEMENT = REPO / "scripts" / "name_supplement.txt"
WORDLIST = Path("/usr/share/dict/swedish")

LATIN_LOCALES = (
    "sv_SE fi_FI da_DK no_NO de_DE de_AT pl_PL tr_TR vi_VN hr_HR sl_SI en_IE ga_IE en_GB en_US "
    "es_CL es_ES fr_FR it_IT nl_NL et_EE lt_LT lv_LV ro_RO hu_HU cs_CZ sk_SK is_IS az_AZ en_PK "
    "en_IN en_TH zh_CN zh_TW ja_JP uz_UZ sw en_KE id_ID pt_BR"
).split()
CYRILLIC_LOCALES = "ru_RU uk_UA bg_BG mk_MK".split()

_SWEDISH = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "jo", "є": "je",
    "ж": "zj", "з": "z", "и": "i", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch",
    "ц": "ts", "ч": "tj", "ш": "sj", "щ": "sjtj", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju",
    "я": "ja", "ѓ": "gj", "ќ": "kj", "љ": "lj", "њ": "nj", "џ": "dzj", "ј": "j", "ѕ": "dz",
}
_ENGLISH = {**_SWEDISH, "ё": "yo", "є": "ye", "ж": "zh", "х": "kh", "ч": "ch", "ш": "sh", "щ": "shch",
            "й": "y", "ю": "yu", "я": "ya", "ї": "yi"}

_NAME_RE = re.compile(r"^[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*$")


def translit(word: str, table: dict[str, str]) -> str:
    out = "".join(table.get(ch, table.get(ch.lower(), ch)) for ch in word.lower())
    return out[:1].upper() + out[1:]


def fold(word: str) -> str:
    """Without diacritics except the Swedish letters, as kvalitet.pii.names._fold."""
    return "".join(ch if ch in "åäöÅÄÖ" else "".join(
        c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)) for ch in word)


def words_of(entry: str) -> list[str]:
    """Title-cased tokens of a lexicon entry ("van der Berg" -> Berg; particles are a rule)."""
    out = []
    for tok in entry.replace("’", "'").split():
        if _NAME_RE.match(tok) and tok[0].isupper() and all(
            ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN") for ch in tok if ch not in "-'"
        ):
            out.append(tok)
            if "-" in tok:  # "Anna-Karin" also gives "Anna" and "Karin"
                out.extend(p for p in tok.split("-") if len(p) >= 2 and p[0].isupper())
    return out


def provider_lists(locale: str) -> tuple[set[str], set[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    first: set[str] = set()
    last: set[str] = set()
    for attr in dir(provider):
        if attr.startswith("_") or "name" not in attr or attr.startswith(("formats", "language", "prefix", "suffix")):
            continue
        value = getattr(provider, attr)
        if not isinstance(value, (tuple, list, dict, set, frozenset)):
            continue
        values = list(value.keys()) if isinstance(value, dict) else list(value)
        if not values or not isinstance(values[0], str):
            continue
        target = last if "last" in attr else first if ("first" in attr or "middle" in attr) else None
        if target is None:
            continue
        for v in values:
            if locale in CYRILLIC_LOCALES:
                target.update(words_of(translit(v, _SWEDISH)))
                target.update(words_of(translit(v, _ENGLISH)))
            else:
                target.update(words_of(v))
    return first, last


def supplement() -> tuple[set[str], set[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for line in SUPPLEMENT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, names = line.partition(":")
        target = first if kind.strip() == "first" else last
        for name in names.split():
            target.update(words_of(name))
    return first, last


def main() -> None:
    first: set[str] = set()
    last: set[str] = set()
    for locale in LATIN_LOCALES + CYRILLIC_LOCALES:
        f, s = provider_lists(locale)
        first |= f
        last |= s
    f, s = supplement()
    first |= f
    last |= s
    # the run time also looks names up without their diacritics ("Vár" -> "Var"), so those
    # forms are checked against the word list too
    names_lower = {n.lower() for n in first | last} | {fold(n).lower() for n in first | last}
    words = WORDLIST.read_bytes().decode("latin-1").split()
    lower_words = {w for w in words if w.islower()}
    common = sorted(n for n in names_lower if n in lower_words)
    proper = sorted(w for w in words if w[:1].isupper() and w.isalpha() and w not in first and w not in last
                    and (not w.endswith("s") or w[:-1] not in first | last))
    OUT.mkdir(parents=True, exist_ok=True)
    header = "# generated by scripts/build_name_lexicon.py; do not edit by hand\n"
    for name, items in (("first_names", sorted(first)), ("surnames", sorted(last)),
                        ("common_words", common), ("proper_nouns", proper)):
        (OUT / f"{name}.txt").write_text(header + "\n".join(items) + "\n", encoding="utf-8")
        print(f"{name}: {len(items)}")


if __name__ == "__main__":
    main()
