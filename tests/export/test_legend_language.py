"""Legends of the PDF/PNG layout and of the map follow the export language."""

from mapdesk.model.project import Project


def test_sample_legends_in_chinese(sample_dir):
    from mapdesk.export.legend import legend_entries
    from mapdesk.render.decorations import legend_items

    project = Project.load(sample_dir / "sample.mapdesk.json")
    zh_texts = [e.text for e in legend_entries(project, "zh_CN")]
    en_texts = [e.text for e in legend_entries(project, "en")]
    assert any(t.startswith("电动车") for t in zh_texts), zh_texts
    assert not any(t.startswith("电动车") for t in en_texts)
    assert any(it.label.startswith("电动车") for it in legend_items(project, "zh_CN"))


def test_html_legend_in_chinese(sample_dir, tmp_path):
    from mapdesk.export.html import export_html

    project = Project.load(sample_dir / "sample.mapdesk.json")
    export_html(project, tmp_path / "zh.html", lang="zh_CN")
    export_html(project, tmp_path / "en.html", lang="en")
    from mapdesk.domain.incidents import type_label

    # the data's own columns hold Chinese labels too: compare the English legend label
    english = type_label("ebike_theft", "en")
    assert english in (tmp_path / "en.html").read_text(encoding="utf-8")
    assert english not in (tmp_path / "zh.html").read_text(encoding="utf-8")
