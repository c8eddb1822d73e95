"""Autosave to a recovery file, and restoring it after a crash.

The recovery file is a normal project document written beside the settings file, plus the
path of the project it stands for. Layers without a file (analysis results) are written into
``recovery.data/`` without touching the live layers' ``source``. A clean exit deletes it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from mapdesk.io.atomic import atomic_path, write_text_atomic
from mapdesk.model import Project

RECOVERY_NAME = "recovery.mapdesk.json"


def recovery_path(folder: Path) -> Path:
    return Path(folder) / RECOVERY_NAME


def write_recovery(project: Project, dest: Path) -> None:
    """Write a restorable copy of ``project`` to ``dest`` (never changes ``project``)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    base = dest.parent.resolve()
    doc = project.to_dict(base)
    data_dir = base / "recovery.data"
    for lyr, d in zip(project.layers, doc["layers"], strict=True):
        if lyr.source is not None:
            continue
        data_dir.mkdir(exist_ok=True)
        if lyr.kind == "raster" and lyr.raster is not None:
            import numpy as np

            g = lyr.raster
            out = data_dir / f"{lyr.id}.npz"
            with atomic_path(out) as tmp, open(tmp, "wb") as fh:
                np.savez_compressed(fh, values=g.values, bounds=np.asarray(g.bounds, float),
                                    meta=np.array(json.dumps({
                                        "crs": str(g.crs), "cell_m": getattr(g, "cell_m", None),
                                        "units": getattr(g, "units", ""),
                                        "params": getattr(g, "params", {})}, default=str)))
            d["source"] = str(out)
        elif lyr.frame is not None:
            out = data_dir / f"{lyr.id}.gpkg"
            with atomic_path(out) as tmp:
                lyr.frame.to_file(tmp, driver="GPKG", layer=lyr.name)
            d["source"], d["layer_name"] = str(out), lyr.name
    doc["recovery"] = {"project_path": str(project.path) if project.path else None,
                       "saved_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_text_atomic(dest, json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")


def recovery_info(path: Path) -> dict | None:
    """The recovery header ({project_path, saved_at}) when a recovery file exists."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc.get("recovery") if isinstance(doc, dict) else None


def restore(path: Path) -> Project:
    """Open the recovery file as an unsaved project standing for its original path."""
    info = recovery_info(path) or {}
    proj = Project.load(path)
    proj.path = Path(info["project_path"]) if info.get("project_path") else None
    proj.set_dirty(True)
    return proj


def discard(path: Path) -> None:
    import shutil

    Path(path).unlink(missing_ok=True)
    shutil.rmtree(Path(path).parent / "recovery.data", ignore_errors=True)
