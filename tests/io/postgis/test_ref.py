"""Database source strings: parsed, printed back without password, service URIs kept intact."""

import pytest

from mapdesk.io.postgis import TableRef, UnsafeName, is_db_source, parse_source


def test_uri_password_is_returned_not_kept():
    ref, pw = parse_source("postgresql://ana:s3cret@db.city:5433/gis?table=police.incidents&geom=g&sslmode=require")
    assert pw == "s3cret"
    assert (ref.schema, ref.table, ref.geometry) == ("police", "incidents", "g")
    assert "s3cret" not in ref.to_source() and "s3cret" not in ref.conninfo
    again, pw2 = parse_source(ref.to_source())
    assert again == ref and pw2 is None


@pytest.mark.parametrize("source", ["postgresql://?service=city&table=public.trees",
                                    "pg:station/public.trees", "pg:station/trees?geom=location"])
def test_round_trip(source):
    ref, _ = parse_source(source)
    assert is_db_source(ref.to_source())
    assert parse_source(ref.to_source())[0] == ref


def test_service_uri_keeps_its_slashes():
    src = TableRef("public", "t", conninfo="postgresql://?service=city").to_source()
    assert src.startswith("postgresql://?") and is_db_source(src)


def test_bad_sources():
    assert not is_db_source("incidents.gpkg") and not is_db_source("pg:nothing")
    with pytest.raises(UnsafeName, match="table"):
        parse_source("postgresql://ana@db/gis")
    with pytest.raises(UnsafeName, match="control"):
        TableRef("public", "t\x00x", connection="c")
    with pytest.raises(UnsafeName):
        TableRef("public", "x" * 64, connection="c")
