"""X12 004010: separators from the ISA, envelopes checked, 850 read, bad input named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import ValidationError
from omskit.integrations.edi import documents, x12
from omskit.integrations.edi.x12 import Delimiters, Segment, TransactionSet, X12Error

EDI = Path(__file__).parents[2] / "fixtures" / "integrations" / "edi"
PARTNER = documents.TradingPartner(name="Acme", channel="edi-acme", qualifier="ZZ",
                                   partner_id="PARTNERID", email="edi@acme.example")  # fmt: skip
AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def read(name: str) -> str:
    return (EDI / name).read_text()


def test_published_850_with_mismatched_iea02_is_refused_naming_it() -> None:
    with pytest.raises(X12Error) as err:
        x12.parse(read("upstream_850.edi"))
    assert err.value.field == "segment 15 (IEA) IEA02"
    assert (err.value.segment_id, err.value.element) == ("IEA", "IEA02")


def test_published_850_reads_into_a_capture_payload() -> None:
    (po,) = documents.parse_850(read("850.edi"), PARTNER)
    assert (po.po_number, po.date, po.set_control) == ("1000012", dt.date(2009, 8, 27), "0003")
    payload = po.capture_payload(PARTNER)
    assert payload["external_id"] == "1000012"
    assert payload["lines"] == [{"sku": "0054321", "quantity": 1, "unit_price": "19.95"}]
    assert payload["ship_to"] == {"name": "John Doe", "line1": "126 Any St",
                                  "city": "Hauppauge", "region": "NY",
                                  "postal_code": "11788-1234", "country": "US"}  # fmt: skip
    assert payload["customer"]["email"] == "edi@acme.example"


def test_separators_come_from_the_isa() -> None:
    parsed = x12.parse(read("850_two_lines.edi"))
    assert parsed.delimiters == Delimiters("|", "^", "\n")
    (po,) = documents.parse_850(parsed, PARTNER)
    assert po.email == "pat.buyer@retailer.example"  # from PER*BD*...*EM
    assert [(x.sku, x.quantity, str(x.unit_price)) for x in po.lines] == [
        ("MUG-BLUE", 12, "4.25"), ("TOWEL-1", 3, "10.00"),
    ]  # fmt: skip
    assert po.bill_to is not None
    assert po.bill_to["city"] == "Dover"


def test_an_interchange_round_trips_through_its_text() -> None:
    for name in ("850.edi", "850_two_lines.edi"):
        parsed = x12.parse(read(name))
        assert x12.parse(parsed.to_x12()) == parsed
        assert x12.parse(parsed.to_x12(newline=True)) == parsed


def test_partner_qualifiers_and_sku_map_choose_the_item() -> None:
    partner = documents.TradingPartner(
        name="Upc shop", channel="edi", qualifier="ZZ", partner_id="R", email="e@x.example",
        product_qualifiers=("UP",), sku_map={"012345678905": "MUG-BLUE-UPC"},
    )  # fmt: skip
    text = read("850_two_lines.edi")
    with pytest.raises(X12Error) as err:
        documents.parse_850(text, partner)  # line 2 has only a VP
    assert err.value.element == "PO106"
    assert err.value.segment_id == "PO1"
    one = text.replace("PO1|2|3|EA|10.00||VP|TOWEL-1\nPID|F||||Tea towel\n", "")
    one = one.replace("CTT|2", "CTT|1").replace("SE|16|0001", "SE|14|0001")
    (po,) = documents.parse_850(one, partner)
    assert po.lines[0].sku == "MUG-BLUE-UPC"


def broken(old: str, new: str) -> str:
    text = read("850_two_lines.edi")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("PO1|1|12|EA", "PO1|1|1.5|EA", "PO102"),
        ("PO1|1|12|EA", "PO1|1|abc|EA", "PO102"),
        ("PO1|1|12|EA", "PO1|1|12|CA", "PO103"),
        ("|4.25|", "|4,25|", "PO104"),
        ("CTT|2", "CTT|3", "CTT01"),
        ("SE|16|0001", "SE|15|0001", "SE01"),
        ("SE|16|0001", "SE|16|0002", "SE02"),
        ("GE|1|731", "GE|1|732", "GE02"),
        ("GE|1|731", "GE|2|731", "GE01"),
        ("IEA|1|000000731", "IEA|2|000000731", "IEA01"),
        ("|00401|", "|00501|", "ISA12"),
        ("|0|P|^", "|0|X|^", "ISA15"),
        ("||20261124\n", "||20261331\n", "BEG05"),
        ("BEG|00|SA|PO-88231", "BEG|00|SA|", "BEG03"),
        ("BEG|00|", "BEG|04|", "BEG01"),
        ("|004010\n", "|003060\n", "GS08"),
        ("EM|pat.buyer@retailer.example", "EM|not-an-email", "PER04"),
        ("N1|ST|Retailer Store 12", "N1|SF|Retailer Store 12", "N101"),
    ],
)
def test_bad_input_names_the_segment_and_the_element(old: str, new: str, element: str) -> None:
    with pytest.raises(X12Error) as err:
        documents.parse_850(broken(old, new), PARTNER)
    assert err.value.element == element, str(err.value)
    assert err.value.field.startswith("segment ")


def test_garbage_and_truncated_documents_are_refused() -> None:
    for text in ("", "hello", "ISA*00*" + "x" * 120, read("850.edi")[:-40]):
        with pytest.raises(X12Error):
            x12.parse(text)


def test_writing_refuses_values_that_hold_a_separator() -> None:
    tx = TransactionSet("850", "0001", (Segment.of("BEG", "00", "SA", "PO*1"),))
    doc = x12.interchange(sender=("ZZ", "A"), receiver=("ZZ", "B"), control_number=1,
                          functional_id="PO", sets=[tx], at=AT)  # fmt: skip
    with pytest.raises(ValidationError) as err:
        doc.to_x12()
    assert err.value.field == "BEG03"
    with pytest.raises(ValidationError):
        x12.interchange(sender=("ZZ", "A"), receiver=("ZZ", "B"), control_number=10**9,
                        functional_id="PO", sets=[tx], at=AT)  # fmt: skip


SAFE = st.text(st.sampled_from("ABCXYZ0123456789 .-/#"), max_size=12)
SEGMENTS = st.builds(
    lambda sid, els: Segment.of(sid, *els),
    st.sampled_from(["BEG", "REF", "N1", "N3", "PO1", "PID", "CTT"]),
    st.lists(SAFE, max_size=8),
)


@given(
    sets=st.lists(st.lists(SEGMENTS, max_size=6), min_size=1, max_size=3),
    control=st.integers(1, 10**9 - 1),
    seps=st.sampled_from([("*", ">", "~"), ("|", "^", "\n"), ("~", ":", "'"), ("^", "<", "!")]),
)
def test_any_interchange_round_trips_with_any_separators(
    sets: list[list[Segment]], control: int, seps: tuple[str, str, str]
) -> None:
    txs = [TransactionSet("850", f"{n:04d}", tuple(body)) for n, body in enumerate(sets, 1)]
    doc = x12.interchange(sender=("ZZ", "OMSKIT"), receiver=("01", "123456789"),
                          control_number=control, functional_id="PO", sets=txs, at=AT,
                          delimiters=Delimiters(*seps))  # fmt: skip
    again = x12.parse(doc.to_x12())
    assert again == doc
    assert [len(t.segments) for t in again.groups[0].sets] == [len(b) for b in sets]
