"""Refresh the Chinese UI catalogue: lupdate the gui sources, fill it, compile the .qm.

Run from the repository root: ``python scripts/update_translations.py``. Strings missing from
``translations_zh_CN.py`` are listed and left unfinished (they show in English).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUI = ROOT / "src" / "mapdesk" / "gui"
TS = ROOT / "src" / "mapdesk" / "resources" / "i18n" / "mapdesk_zh_CN.ts"
QM = TS.with_suffix(".qm")

sys.path.insert(0, str(Path(__file__).parent))
from translations_zh_CN import ZH_CN  # noqa: E402


def main() -> int:
    lupdate = shutil.which("pyside6-lupdate")
    lrelease = shutil.which("pyside6-lrelease")
    if not lupdate or not lrelease:
        print("pyside6-lupdate/pyside6-lrelease not found", file=sys.stderr)
        return 2
    sources = sorted(str(p.relative_to(ROOT)) for p in GUI.glob("*.py"))
    subprocess.run([lupdate, "-no-obsolete", "-locations", "none", *sources, "-ts", str(TS.relative_to(ROOT))],
                   cwd=ROOT, check=True, capture_output=True)
    tree = ET.parse(TS)
    root = tree.getroot()
    root.set("language", "zh_CN")
    missing = []
    for msg in root.iter("message"):
        src = msg.find("source").text or ""
        tr = msg.find("translation")
        if src in ZH_CN:
            tr.text = ZH_CN[src]
            tr.attrib.pop("type", None)
        else:
            missing.append(src)
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    subprocess.run([lrelease, str(TS), "-qm", str(QM)], check=True, capture_output=True)
    for m in sorted(set(missing)):
        print("untranslated:", repr(m))
    print(f"{TS.name}: {len(missing)} untranslated; wrote {QM.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
