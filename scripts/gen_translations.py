#!/usr/bin/env python3
"""Build custom_components/ocpp_core/translations/*.json from translations/*.json.

The source files are what translators edit.  They may reuse a string with
`[%key:a::b::c%]` (HA's own reference syntax, which custom integrations do not
resolve at run time), so the generated files carry plain text only.  Every
language must have exactly the keys English has, and every generated string
must pass Home Assistant's own rules (scripts/translation_rules.py: what
hassfest rejects and what the frontend's ICU parser cannot render), with the
same placeholders as English.

    scripts/gen_translations.py          write the generated files
    scripts/gen_translations.py --check  fail if they are missing or out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: scripts/ is on the path, the repository is not
    sys.path.insert(0, str(ROOT))

from scripts.translation_rules import mismatched, problems  # noqa: E402

SOURCE = ROOT / "translations"
TARGET = ROOT / "custom_components" / "ocpp_core" / "translations"
# languages that must translate every string; others may be partial (Home Assistant falls back to English)
COMPLETE = ("en", "de")
_REF = re.compile(r"\[%key:([a-z0-9_:]+)%\]")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}::{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def _resolve(tree: Any, flat: dict[str, str], lang: str) -> Any:
    if isinstance(tree, dict):
        return {key: _resolve(value, flat, lang) for key, value in tree.items()}

    def lookup(match: re.Match[str]) -> str:
        target = flat.get(match.group(1))
        if target is None:
            raise SystemExit(f"{lang}: reference to unknown key {match.group(1)}")
        return _resolve(target, flat, lang)  # type: ignore[no-any-return]

    return _REF.sub(lookup, tree)


def build() -> dict[str, str]:
    """Return {file name: generated text} for every language."""
    english = json.loads((SOURCE / "en.json").read_text(encoding="utf-8"))
    english_keys = set(_flatten(english))
    english_resolved = _flatten(_resolve(english, _flatten(english), "en"))
    out: dict[str, str] = {}
    broken: list[str] = []
    for path in sorted(SOURCE.glob("*.json")):
        tree = json.loads(path.read_text(encoding="utf-8"))
        keys = set(_flatten(tree))
        extra = sorted(keys - english_keys)
        if extra:
            raise SystemExit(f"{path.name}: keys en.json does not have: {extra}")
        missing = sorted(english_keys - keys)
        if path.stem in COMPLETE and missing:
            raise SystemExit(f"{path.name}: must be complete; missing {missing}")
        if path.stem not in COMPLETE and not {"config::step::user::title", "config::error::port_in_use"} <= keys:
            raise SystemExit(f"{path.name}: a partial language must at least translate the flows")
        resolved = _resolve(tree, _flatten(tree), path.stem)
        flat = _flatten(resolved)
        broken += [f"{path.name}: {problem}" for problem in (*problems(flat), *mismatched(english_resolved, flat))]
        out[path.name] = json.dumps(resolved, indent=2, ensure_ascii=False) + "\n"
    if broken:
        raise SystemExit("Home Assistant cannot use these strings:\n  " + "\n  ".join(broken))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    generated = build()
    stale = [
        name
        for name, text in generated.items()
        if not (TARGET / name).exists() or (TARGET / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        if stale:
            print(f"out of date: {', '.join(stale)}; run scripts/gen_translations.py", file=sys.stderr)
            return 1
        return 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, text in generated.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(generated)} files to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
