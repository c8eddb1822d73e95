"""pyproj keeps working in Qt pool threads once the workaround is installed."""

from PySide6.QtCore import QRunnable, QThreadPool

from mapdesk.gui import threadsafe_proj


def test_pyproj_in_qt_pool_threads_many_times(qapp):
    assert threadsafe_proj.install()
    from pyproj import CRS, Transformer

    results = []

    class Task(QRunnable):
        def run(self) -> None:
            crs = CRS.from_user_input("EPSG:4326")
            x, _ = Transformer.from_crs(crs, 32649, always_xy=True).transform(112.56, 37.88)
            results.append((crs.to_epsg(), round(x)))

    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    for _ in range(40):
        pool.start(Task())
    pool.waitForDone(30000)
    assert len(results) == 40 and all(r == results[0] for r in results)
    assert results[0][0] == 4326
