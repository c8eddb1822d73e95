"""Category labels follow the language of the map they are drawn on, unless the user typed them."""

from mapdesk.model.style import category_label


def test_default_labels_switch_language():
    assert category_label("incidents", "ebike_theft", "ebike_theft", "zh_CN") != "ebike_theft"
    zh = category_label("incidents", "ebike_theft", "E-bike theft", "zh_CN")
    assert zh == category_label("incidents", "ebike_theft", zh, "zh")
    assert category_label("incidents", "ebike_theft", zh, "en") == category_label(
        "incidents", "ebike_theft", "ebike_theft", "en")
    assert category_label("trees", "1", "Grade 1", "zh") == "一级"
    assert category_label("trees", "none", "未分级", "en") == "Not graded"


def test_user_labels_and_other_roles_are_kept():
    assert category_label("incidents", "ebike_theft", "Bikes at metro", "zh") == "Bikes at metro"
    assert category_label("cameras", "planned", "planned", "zh") == "planned"
    assert category_label("trees", "1", "", "en") == "Grade 1"
