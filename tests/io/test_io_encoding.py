import codecs

import pytest

from mapdesk.io.encoding import detect_encoding


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name,lon\nabc,1\n", "utf-8"),
        ("名称,经度\n国槐,112.5\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "名称,经度\n".encode(), "utf-8-sig"),
        ("监测点名称,城市,经度,纬度\n万寿西宫,北京,116.36,39.87\n太原,太原市,112.5,37.8\n".encode("gbk"), "gb18030"),
        ("Location,Description\nCAFÉ DE PARIS — 1,ROBBERY\nMüller straße,x\n".encode("cp1252"), "cp1252"),
    ],
)
def test_detect_encoding(data, expected):
    assert detect_encoding(data) == expected


def test_truncated_utf8_sample_is_still_utf8():
    data = "国槐油松侧柏".encode()[:-1]
    assert detect_encoding(data) == "utf-8"
