"""Home Assistant's rules for translation strings, so CI fails where HA would.

Two places judge our strings: hassfest (script/hassfest/translations.py in HA
core), which rejects HTML, single-quoted placeholders, placeholders that are
not identifiers, leading or trailing spaces, URLs and combined references; and
the frontend, which renders every string as an ICU MessageFormat message
(intl-messageformat) and shows "Translation error" for one it cannot parse: a
`<word>` is a tag there (INVALID_TAG, UNCLOSED_TAG), `{a, b}` an argument with
a type (INVALID_ARGUMENT_TYPE), an apostrophe before a brace quotes it, and an
unbalanced brace is a syntax error.  Across languages a key must use the same
placeholders as English (HA's script/translations validate, and a placeholder
only one language has is never filled in).

    problems(flat)                 the rule breaks of one language, {key: string}
    mismatched(english, other)     keys whose placeholders differ from English
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# hassfest / homeassistant.helpers.config_validation.string_with_no_html
_HTML = re.compile(r"<[a-z].*?>", re.IGNORECASE)
# hassfest RE_PLACEHOLDER_IN_SINGLE_QUOTES
_SINGLE_QUOTED = re.compile(r"'{\w+}'")
# hassfest RE_URL: URLs belong in description placeholders
_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)
# hassfest RE_COMBINED_REFERENCE (our generator resolves references; one left over is a break)
_REFERENCE = re.compile(r"\[%key:")
# hassfest RE_TRANSLATION_KEY, for the keys themselves
_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
# ICU: an apostrophe right before a syntax character starts quoted (literal) text
_ICU_QUOTE = re.compile(r"'[{}<#|]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def placeholders(value: str) -> set[str]:
    """The names of the `{name}` placeholders of a string (whatever else is wrong with it)."""
    return set(re.findall(r"{\s*([^{},\s]+)\s*}", value))


def _brace_problems(value: str) -> list[str]:
    """Every `{...}` must be one placeholder `{identifier}`; braces balanced, none nested."""
    found: list[str] = []
    depth_start: int | None = None
    for index, char in enumerate(value):
        if char == "{":
            if depth_start is not None:
                found.append(f"nested '{{' at {index} (the frontend's ICU parser takes it as an argument type)")
                return found
            depth_start = index
        elif char == "}":
            if depth_start is None:
                found.append(f"unmatched '}}' at {index}")
                return found
            inner = value[depth_start + 1 : index]
            if "," in inner:
                found.append(f"'{{{inner}}}' is an ICU argument with a type (INVALID_ARGUMENT_TYPE)")
            elif not _IDENTIFIER.fullmatch(inner):
                found.append(f"placeholder '{{{inner}}}' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)")
            depth_start = None
    if depth_start is not None:
        found.append(f"unclosed '{{' at {depth_start}")
    return found


def string_problems(value: str) -> list[str]:
    """Why Home Assistant would reject or fail to render this string (empty: it is fine)."""
    found: list[str] = []
    if tag := _HTML.search(value):
        found.append(f"{tag.group(0)!r} is an HTML/ICU tag (hassfest: no HTML; frontend: INVALID_TAG / UNCLOSED_TAG)")
    if _SINGLE_QUOTED.search(value):
        found.append("a placeholder in single quotes (ICU quotes it: shown literally)")
    elif quote := _ICU_QUOTE.search(value):
        found.append(f"{quote.group(0)!r}: an apostrophe before an ICU syntax character quotes it")
    found += _brace_problems(value)
    if value != value.strip():
        found.append("leading or trailing whitespace")
    if url := _URL.search(value):
        found.append(f"URL {url.group(0)!r} (hassfest: use a description placeholder)")
    if _REFERENCE.search(value):
        found.append("an unresolved [%key:...%] reference")
    return found


def key_problems(key: str) -> list[str]:
    """A translation key's parts must be [a-z0-9-_], not starting or ending with - or _ (hassfest)."""
    return [f"key part {part!r} is not a valid translation key" for part in key.split("::") if not _KEY.match(part)]


def problems(flat: Mapping[str, str]) -> list[str]:
    """Every rule break of one language's strings, as 'key: why'."""
    found: list[str] = []
    for key, value in flat.items():
        found += [f"{key}: {why}" for why in key_problems(key)]
        if not isinstance(value, str):
            found.append(f"{key}: not a string")
            continue
        found += [f"{key}: {why}" for why in string_problems(value)]
    return found


def mismatched(english: Mapping[str, str], other: Mapping[str, str]) -> list[str]:
    """Keys of `other` whose placeholders are not exactly English's."""
    found: list[str] = []
    for key, value in other.items():
        source = english.get(key)
        if not isinstance(source, str) or not isinstance(value, str):
            continue
        want, have = placeholders(source), placeholders(value)
        if want != have:
            found.append(f"{key}: placeholders {sorted(have)} but English has {sorted(want)}")
    return found
