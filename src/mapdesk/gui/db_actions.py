"""The main window's database features: the Database menu, the layer menu's *Save to
database…* and *Reload*, the password prompt, and keeping database layers in step with the
map (the rows fetched for the view, a server that went away).

Kept out of ``main_window.py``: the window creates one :class:`DatabaseActions` and forgets it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from mapdesk.gui.db_password import PasswordPrompt
from mapdesk.model import Layer


def _drop_prompt(prompt: Any) -> None:
    """The window that asked for passwords is gone: nobody to ask until another one opens
    (unless a newer window installed its own prompt)."""
    from mapdesk.model import remote

    if remote.password_prompt() is prompt:
        remote.set_password_prompt(None)


def is_db_layer(layer: Any) -> bool:
    from mapdesk.io.postgis.ref import is_db_source

    return layer is not None and is_db_source(getattr(layer, "source", None))


class DatabaseActions(QObject):
    """Database menu, layer context entries, password prompt and remote-layer upkeep."""

    def __init__(self, window: Any, store: Any = None) -> None:
        super().__init__(window)
        from mapdesk.model import remote

        self.window = window
        self._store = store
        self.prompt = PasswordPrompt(window)
        remote.set_password_prompt(self.prompt)
        prompt = self.prompt
        window.destroyed.connect(lambda *_: _drop_prompt(prompt))
        self.actions: dict[str, QAction] = {}
        for key, slot in (("db_connections", self.show_connections),
                          ("db_add_layer", self.show_browser),
                          ("db_save_layer", lambda: self.save_layer(window.current_layer)),
                          ("db_reload", lambda: self.reload_layer(window.current_layer))):
            a = QAction(window)
            a.setObjectName(f"action_{key}")
            a.triggered.connect(lambda checked=False, s=slot: s())
            self.actions[key] = a
            window.actions[key] = a
        self.menu = QMenu(window)
        self.menu.setObjectName("menu_database")
        self.menu.addActions([self.actions["db_connections"], self.actions["db_add_layer"]])
        self.menu.addSeparator()
        self.menu.addActions([self.actions["db_save_layer"], self.actions["db_reload"]])
        window.menus["database"] = self.menu
        mb = window.menuBar()
        before = window.menus.get("settings")
        if before is not None:
            mb.insertMenu(before.menuAction(), self.menu)
        else:
            mb.addMenu(self.menu)
        self.menu.aboutToShow.connect(self._update_enabled)
        panel = getattr(window, "layer_panel", None)
        if panel is not None and hasattr(panel, "context_hooks"):
            panel.context_hooks.append(self._context_entries)
        window.canvas.rendered.connect(self.sync_remote_layers)
        window.installEventFilter(self)
        self.retranslate()

    @property
    def store(self) -> Any:
        if self._store is None:
            from mapdesk.io.postgis.connections import ConnectionStore

            self._store = ConnectionStore()
        return self._store

    # ---- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        texts = {
            "db_connections": (self.tr("&Connections…"), self.tr("Add, edit, test or remove PostGIS connections")),
            "db_add_layer": (self.tr("Add &PostGIS layer…"), self.tr("Browse the tables of a connection and add them as layers")),
            "db_save_layer": (self.tr("&Save layer to database…"), self.tr("Write the current layer to a PostGIS table in one transaction")),
            "db_reload": (self.tr("&Reload from database"), self.tr("Read the current database layer again (after the server was down)")),
        }
        for key, (text, tip) in texts.items():
            self.actions[key].setText(text)
            self.actions[key].setToolTip(tip)
            self.actions[key].setStatusTip(tip)
        self.menu.setTitle(self.tr("&Database"))
        from mapdesk.gui import i18n
        from mapdesk.render import remote as remote_render

        remote_render.LEGEND_LANG = "zh" if i18n.current_language().startswith("zh") else "en"

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def _update_enabled(self) -> None:
        layer = self.window.current_layer
        self.actions["db_save_layer"].setEnabled(
            layer is not None and layer.kind == "vector" and layer.status == "ok")
        self.actions["db_reload"].setEnabled(is_db_layer(layer))

    def _context_entries(self, menu: QMenu, layer: Layer) -> None:
        menu.addSeparator()
        if is_db_layer(layer):
            menu.addAction(self.tr("Reload from database"), lambda: self.reload_layer(layer))
        if layer.kind == "vector" and layer.status == "ok":
            menu.addAction(self.tr("Save to database…"), lambda: self.save_layer(layer))

    # ---- dialogs ---------------------------------------------------------------------------------
    def show_connections(self) -> Any:
        from mapdesk.gui.db_connections import ConnectionsDialog

        dlg = ConnectionsDialog(self.store, self.window, prompt=self.prompt)
        self.last_dialog = dlg
        dlg.exec()
        return dlg

    def show_browser(self) -> Any:
        from mapdesk.gui.db_browser import DbBrowser

        dlg = DbBrowser(self.store, self.window)
        self.last_dialog = dlg
        if dlg.exec():
            self.add_sources(dlg.sources())
        return dlg

    def save_layer(self, layer: Layer | None) -> Any:
        from mapdesk.gui.db_save import SaveToDatabaseDialog

        if layer is None or layer.kind != "vector" or layer.frame is None:
            QMessageBox.information(self.window, self.tr("Save to database"),
                                    self.tr("Choose a vector layer with features first."))
            return None
        dlg = SaveToDatabaseDialog(layer, self.store, self.window)
        self.last_dialog = dlg
        dlg.saved.connect(lambda source, rows: self._saved(dlg, source, rows))
        dlg.exec()
        return dlg

    def _saved(self, dlg: Any, source: str, rows: int) -> None:
        self.window.statusBar().showMessage(
            self.tr("Saved {0} rows to {1}").format(f"{rows:,}", source), 8000)
        if dlg.add_layer.isChecked():
            self.add_sources([(dlg.table.text().strip(), source)])

    # ---- layers ------------------------------------------------------------------------------------
    def add_sources(self, sources: list[tuple[str, str]]) -> None:
        """Load database tables in the background and add each as a layer."""
        for name, source in sources:
            def job(progress: Any, cancelled: Any, name: str = name, source: str = source) -> Layer:
                progress(0.1, name)
                lyr = Layer(name, source=source)
                lyr.load()
                if lyr.status == "ok":
                    from mapdesk.gui import i18n
                    from mapdesk.model import default_style

                    lyr.style = default_style(lyr.role, lyr.frame, lyr.field_map,
                                              lang=i18n.current_language())
                return lyr

            self.window.jobs.start(job, self.tr("Loading {0}").format(name),
                                   on_done=self._loaded,
                                   on_error=lambda msg, tb, name=name: self._load_failed(name, msg))

    def _loaded(self, layer: Layer) -> None:
        if layer.status != "ok":
            self._load_failed(layer.name, layer.error)
            return
        self.window.add_layer(layer)
        self.window.statusBar().showMessage(self.describe(layer), 8000)
        self.window.layer_loaded.emit(layer)

    def describe(self, layer: Layer) -> str:
        r = getattr(layer, "remote", None)
        if r is not None:
            return self.tr("{0}: about {1} rows, drawn from the server per view (density when "
                           "zoomed out); the table and analyses use the rows fetched for the view")\
                .format(layer.name, f"{int(r.info.estimated_rows):,}")
        n = 0 if layer.frame is None else len(layer.frame)
        return self.tr("{0}: {1} rows loaded from the database").format(layer.name, f"{n:,}")

    def _load_failed(self, name: str, message: str) -> None:
        QMessageBox.warning(self.window, self.tr("Cannot add layer"),
                            self.tr("{0} could not be loaded:\n{1}").format(name, message))

    def reload_layer(self, layer: Layer | None) -> None:
        """Read a database layer again in the background; a failure marks it (no dialog storm)."""
        if not is_db_layer(layer):
            return
        from mapdesk.model.remote import apply_state, load_state

        def job(progress: Any, cancelled: Any) -> Any:
            return load_state(layer.source, role=layer.role, field_map=layer.field_map,
                              load_options=layer.load_options)

        def done(state: Any) -> None:
            apply_state(layer, state)
            layer.changed.emit("data")
            if state.status == "ok":
                self.window.statusBar().showMessage(self.describe(layer), 6000)
            else:
                self.window.statusBar().showMessage(
                    self.tr("{0} is still unavailable: {1}").format(layer.name, state.error), 10000)

        self.window.jobs.start(job, self.tr("Reloading {0}").format(layer.name), on_done=done,
                               on_error=lambda msg, tb: self._load_failed(layer.name, msg))

    def sync_remote_layers(self, *_: Any) -> None:
        """After a frame: show each remote layer's fetched rows; mark one whose server is gone."""
        from mapdesk.model.remote import mark_unreachable, set_rows

        for layer in list(self.window.project.layers):
            r = getattr(layer, "remote", None)
            if r is None or layer.status != "ok":
                continue
            if r.last_error:
                mark_unreachable(layer, r.last_error)
                self.window.statusBar().showMessage(
                    self.tr("{0}: the database cannot be reached; the layer is marked. "
                            "Use Reload when the server is back.").format(layer.name), 10000)
                continue
            view = r.last_view
            key = (id(r), view.serial) if view is not None else None
            if view is None or getattr(layer, "_rows_key", None) == key:
                continue
            layer._rows_key = key
            if view.frame is not None:
                set_rows(layer, view.frame)
            else:  # density: the rows stay, the counts of the view changed
                layer.changed.emit("rows")
