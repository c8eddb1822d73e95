"""Open an HTML file in QtWebEngine offscreen and report what happened, as JSON on stdout.

Run as a separate process (``python webcheck.py FILE [WAIT_S]``) so a Chromium crash cannot take
the test session down. Reports every network request the page made (via a request
interceptor), every console message at warning level or above, and counts from the page.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QTimer, QUrl  # noqa: E402
from PySide6.QtWebEngineCore import (  # noqa: E402
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

PROBE = """(function () {
  var out = {leaflet: typeof L !== 'undefined'};
  out.maps = document.querySelectorAll('.leaflet-container').length;
  out.canvases = document.querySelectorAll('.leaflet-container canvas').length;
  out.paths = document.querySelectorAll('path.leaflet-interactive').length;
  out.clusters = document.querySelectorAll('.marker-cluster').length;
  out.overlays = document.querySelectorAll('img.leaflet-image-layer').length;
  out.layer_control_items = document.querySelectorAll('.leaflet-control-layers-overlays label').length;
  out.layers = window.mapdeskLayers || [];
  out.legend = !!document.getElementById('mapdesk-legend');
  out.title = document.title;
  out.fonts = []; document.fonts.forEach(function (f) { out.fonts.push(f.family + ':' + f.status); });
  return JSON.stringify(out);
})()"""


class Recorder(QWebEngineUrlRequestInterceptor):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info):  # noqa: N802 (Qt name)
        self.urls.append(info.requestUrl().toString()[:200])


class Page(QWebEnginePage):
    def __init__(self, profile):
        super().__init__(profile)
        self.messages: list[dict] = []

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802
        self.messages.append({"level": int(level.value) if hasattr(level, "value") else int(level),
                              "message": message[:300], "line": line, "source": source[-80:]})


def main() -> int:
    path, wait_s = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    profile = QWebEngineProfile()
    rec = Recorder()
    profile.setUrlRequestInterceptor(rec)
    page = Page(profile)
    # A page without a view has no size: Leaflet would draw nothing. Offscreen, a view works.
    view = QWebEngineView()
    view.setPage(page)
    view.resize(1024, 768)
    view.show()
    result: dict = {"loaded": None}
    timer = QElapsedTimer()
    timer.start()

    def done(ok: bool) -> None:
        result["loaded"] = bool(ok)
        result["load_ms"] = timer.elapsed()
        # Give chunked marker loading and canvas drawing a moment before probing.
        QTimer.singleShot(800, lambda: page.runJavaScript(PROBE, 0, probed))

    def probed(value) -> None:
        probe = json.loads(value) if isinstance(value, str) else value
        result["probe"] = probe
        drawn = sum(probe.get(k, 0) for k in ("canvases", "paths", "clusters", "overlays")) if probe else 0
        # Clustered layers load in chunks: poll until something is drawn (or time runs out).
        if not drawn and timer.elapsed() < wait_s * 1000 - 1000:
            QTimer.singleShot(400, lambda: page.runJavaScript(PROBE, 0, probed))
            return
        result["probe_ms"] = timer.elapsed()
        if len(sys.argv) > 3:  # a screenshot, to look at
            view.grab().save(sys.argv[3])
        app.quit()

    page.loadFinished.connect(done)
    page.load(QUrl.fromLocalFile(os.path.abspath(path)))
    QTimer.singleShot(int(wait_s * 1000), app.quit)
    app.exec()
    result["requests"] = rec.urls
    result["console"] = page.messages
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
