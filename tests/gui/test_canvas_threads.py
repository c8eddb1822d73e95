"""Regression: frames after a filter change used to crash PROJ in the render thread
(QThreadPool tore down Python's thread state, and pyproj's context with it)."""

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_filter_changes_re_render_without_crashing():
    code = textwrap.dedent(f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from mapdesk.model import Filter, Project
        from mapdesk.gui.canvas import MapCanvas
        p = Project.load(r"{REPO / 'sample_data' / 'sample.mapdesk.json'}")
        c = MapCanvas(p); c.resize(640, 480)
        assert c.wait_rendered(20)
        inc = [lyr for lyr in p.layers if lyr.role == "incidents"][0]
        shown = []
        for t in ("fraud", "dispute", "dog", "ebike_theft"):
            inc.set_filter(Filter(categories={{"type": [t]}}))
            assert c.wait_rendered(20)
            shown.append(c.last_report.summary())
        print("frames", len(shown))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "frames 4" in res.stdout
