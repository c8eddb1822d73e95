"""UI languages: English (source strings) and Simplified Chinese (compiled ``.qm``).

The Chinese catalogue is ``resources/i18n/mapdesk_zh_CN.ts`` (made with ``pyside6-lupdate``
and filled by ``scripts/update_translations.py``), compiled to ``mapdesk_zh_CN.qm`` with
``pyside6-lrelease``. Installing a translator sends ``LanguageChange`` to every widget, and each
panel retranslates itself, so switching the language takes effect at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from mapdesk.gui import settings

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
LANGUAGES = {"en": "English", "zh_CN": "中文（简体）"}

_installed: list[QTranslator] = []
_current = "en"


def normalize(lang: str | None) -> str | None:
    """Map ``zh``, ``zh-CN``, ``zh_CN.UTF-8`` to ``zh_CN``; ``en*`` to ``en``; else None."""
    if not lang:
        return None
    low = lang.replace("-", "_").split(".")[0].lower()
    if low.startswith("zh"):
        return "zh_CN"
    if low.startswith("en") or low in ("c", "posix"):
        return "en"
    return None


def detect_language(requested: str | None = None) -> str:
    """``--lang`` first, then the language saved in settings, then the system locale."""
    for cand in (requested, settings.get_value("ui/language")):
        lang = normalize(cand)
        if lang:
            return lang
    return normalize(QLocale.system().name()) or "en"


def current_language() -> str:
    return _current


def install_language(lang: str) -> bool:
    """Replace the installed translators by those for ``lang``; True when ``lang`` is active."""
    global _current
    app = QCoreApplication.instance()
    if app is None:
        return False
    lang = normalize(lang) or "en"
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    ok = True
    if lang != "en":
        own = QTranslator(app)
        ok = own.load(str(I18N_DIR / f"mapdesk_{lang}.qm"))
        if ok:
            app.installTranslator(own)
            _installed.append(own)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_tr = QTranslator(app)
        if qt_tr.load(f"qtbase_{lang}", qt_dir):  # standard buttons (OK, Cancel) of Qt itself
            app.installTranslator(qt_tr)
            _installed.append(qt_tr)
    _current = lang if ok else "en"
    return ok
