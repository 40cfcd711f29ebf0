"""ASC X12 (version 004010) interchanges: read with the separators the ISA declares, write.

An interchange is ``ISA`` ... ``IEA`` around functional groups (``GS`` ... ``GE``) around
transaction sets (``ST`` ... ``SE``). [`parse`][omskit.integrations.edi.x12.parse]
reads the element separator from the fourth character of the ISA, the component
separator from ISA16 and the segment terminator from the character after it (so a
partner's ``|``, ``^`` or a newline work as well as ``*``, ``>`` and ``~``), and checks
every control number and count: ``IEA02 = ISA13``, ``GE02 = GS06``, ``SE02 = ST02``,
``SE01`` = the segments from ST to SE inclusive, ``GE01`` = the sets, ``IEA01`` = the
groups. A problem raises [`X12Error`][omskit.integrations.edi.x12.X12Error] naming the
segment (its position in the interchange and its id) and the element (``SE01``).

[`Interchange.to_x12`][omskit.integrations.edi.x12.Interchange.to_x12] writes an
interchange back, with a fixed-width ISA and the counts computed, so that
``parse(interchange.to_x12()) == interchange``.

No X12 library is used: the maintained Python ones target healthcare (5010) or were
last released years ago; the envelope and the few sets omskit needs are small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from omskit.errors import ValidationError, shown

__all__ = [
    "Delimiters",
    "FunctionalGroup",
    "Interchange",
    "Segment",
    "TransactionSet",
    "X12Error",
    "parse",
]

_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1)
_MAX_SIZE = 4 << 20  # 4 MiB: far more than any order or ship notice


class X12Error(ValidationError):
    """An X12 document that cannot be read, naming the segment and the element.

    ``field`` reads ``"segment 7 (PO1) PO102"``; ``segment_index`` is the segment's
    position in the interchange (1 = the ISA), ``segment_id`` its id and ``element``
    the element's reference (``"PO102"``), or ``""`` for the segment as a whole.
    """

    def __init__(self, segment_index: int, segment_id: str, element: str, value: object,
                 allowed: str) -> None:  # fmt: skip
        self.segment_index = segment_index
        self.segment_id = segment_id
        self.element = element
        where = f"segment {segment_index} ({segment_id or '?'})"
        super().__init__(f"{where} {element}".rstrip(), value, allowed)


@attrs.frozen
class Delimiters:
    """The separators of one interchange (``*``, ``>``, ``~`` unless the ISA says else)."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"

    def __attrs_post_init__(self) -> None:
        chars = (self.element, self.component, self.segment)
        if any(len(c) != 1 or c.isalnum() or c == " " for c in chars) or len(set(chars)) < 3:
            raise ValidationError("delimiters", chars,
                                  "three different single characters, none a letter, "
                                  "digit or space")  # fmt: skip


@attrs.frozen
class Segment:
    """One segment: its id and its elements (``elements[0]`` is element 01)."""

    id: str
    elements: tuple[str, ...] = ()
    index: int = attrs.field(default=0, eq=False)

    def get(self, position: int) -> str:
        """Element ``position`` (1-based, as X12 numbers them), ``""`` when absent."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""

    def require(self, position: int, allowed: str = "a value is required") -> str:
        """Element ``position``, or an [`X12Error`][] naming it when it is empty."""
        value = self.get(position)
        if not value:
            raise self.error(position, value, allowed)
        return value

    def date(self, position: int) -> dt.date:
        """Element ``position`` read as an X12 date ``CCYYMMDD``.

        Raises:
            X12Error: the element is empty or not such a date (naming it).
        """
        value = self.require(position)
        try:
            return dt.datetime.strptime(value + "+0000", "%Y%m%d%z").date()
        except ValueError:
            raise self.error(position, value, "a date CCYYMMDD") from None

    def error(self, position: int, value: object, allowed: str) -> X12Error:
        """An error naming this segment and element ``position``."""
        return X12Error(self.index, self.id, f"{self.id}{position:02d}", value, allowed)

    @classmethod
    def of(cls, seg_id: str, *elements: object) -> Segment:
        """A segment from values (``None`` becomes an empty element), trailing empties cut."""
        values = ["" if e is None else str(e) for e in elements]
        while values and not values[-1]:
            values.pop()
        return cls(seg_id, tuple(values))


@attrs.frozen
class TransactionSet:
    """``ST`` ... ``SE``: the set id (``"850"``), its control number and its body."""

    set_id: str
    control_number: str
    segments: tuple[Segment, ...]

    def find(self, seg_id: str) -> Segment | None:
        """The first body segment with id ``seg_id``."""
        return next((s for s in self.segments if s.id == seg_id), None)


@attrs.frozen
class FunctionalGroup:
    """``GS`` ... ``GE``: a functional id (``"PO"``), sender, receiver and sets."""

    functional_id: str
    sender: str
    receiver: str
    date: str
    time: str
    control_number: str
    version: str
    sets: tuple[TransactionSet, ...]


@attrs.frozen
class Interchange:
    """``ISA`` ... ``IEA``: the parties, control number and groups of one exchange."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    control_number: str
    usage: str
    groups: tuple[FunctionalGroup, ...]
    delimiters: Delimiters = attrs.field(factory=Delimiters)
    acknowledgment_requested: str = "0"

    def to_x12(self, *, newline: bool = False) -> str:
        """The interchange as X12 text, every count and trailer computed.

        Raises:
            ValidationError: an element holds a delimiter, or an ISA value is too long.
        """
        d = self.delimiters
        isa = ("00", "", "00", "", self.sender_qualifier, self.sender_id,
               self.receiver_qualifier, self.receiver_id, self.date, self.time, "U",
               "00401", self.control_number.zfill(9), self.acknowledgment_requested,
               self.usage)  # fmt: skip
        fields = []
        for n, (value, width) in enumerate(zip(isa, _ISA_WIDTHS, strict=True), start=1):
            if len(value) > width:
                raise ValidationError(f"ISA{n:02d}", value, f"at most {width} characters")
            fields.append(value.ljust(width))
        end = d.segment + ("\n" if newline and d.segment != "\n" else "")
        out = ["ISA" + d.element + d.element.join(fields) + d.element + d.component]
        for group in self.groups:
            out.append(
                _write(
                    Segment.of(
                        "GS",
                        group.functional_id,
                        group.sender,
                        group.receiver,
                        group.date,
                        group.time,
                        group.control_number,
                        "X",
                        group.version,
                    ),
                    d,
                )
            )
            for tx in group.sets:
                body = [Segment.of("ST", tx.set_id, tx.control_number), *tx.segments]
                out.extend(_write(s, d) for s in body)
                out.append(_write(Segment.of("SE", len(body) + 1, tx.control_number), d))
            out.append(_write(Segment.of("GE", len(group.sets), group.control_number), d))
        out.append(_write(Segment.of("IEA", len(self.groups),
                                     self.control_number.zfill(9)), d))  # fmt: skip
        return end.join(out) + end


def _write(segment: Segment, d: Delimiters) -> str:
    for n, value in enumerate(segment.elements, start=1):
        if d.element in value or d.segment in value:
            raise ValidationError(f"{segment.id}{n:02d}", value,
                                  f"must not contain the separators {d.element!r} or "
                                  f"{d.segment!r}")  # fmt: skip
    return d.element.join((segment.id, *segment.elements))


def _delimiters(text: str) -> tuple[Delimiters, int]:
    """The separators the ISA declares, and where the ISA ends."""
    if not text.startswith("ISA") or len(text) < 106:
        raise X12Error(1, text[:3], "", shown(text[:20]),
                       "an X12 interchange starts with a 106-character ISA segment")  # fmt: skip
    element = text[3]
    found, i = 0, 2
    while found < 16:
        i = text.find(element, i + 1)
        if i < 0:
            raise X12Error(1, "ISA", "ISA16", None, "the ISA has 16 elements")
        found += 1
    if i + 2 >= len(text):
        raise X12Error(1, "ISA", "ISA16", None, "a component separator, then the terminator")
    component, terminator = text[i + 1], text[i + 2]
    try:
        return Delimiters(element, component, terminator), i + 3
    except ValidationError as exc:
        raise X12Error(1, "ISA", "ISA16", (element, component, terminator),
                       exc.allowed) from None  # fmt: skip


def parse(text: str | bytes) -> Interchange:
    """Read one interchange, checking its envelopes, control numbers and counts.

    Raises:
        X12Error: naming the segment and element at fault.
    """
    if isinstance(text, bytes):
        if len(text) > _MAX_SIZE:
            raise X12Error(0, "", "", f"{len(text):,} bytes", f"at most {_MAX_SIZE:,} bytes")
        raw_bytes = text
        try:
            text = raw_bytes.decode("ascii")
        except UnicodeDecodeError:
            text = raw_bytes.decode("latin-1")
    text = text.lstrip()
    d, _end = _delimiters(text)
    raw = [s.strip("\r\n").lstrip() for s in text.split(d.segment)]
    segments = [
        Segment(parts[0], tuple(parts[1:]), n)
        for n, parts in enumerate((r.split(d.element) for r in raw if r), start=1)
    ]
    isa = segments[0]
    if len(isa.elements) != 16:
        raise isa.error(16, len(isa.elements), "the ISA has 16 elements")
    if isa.get(12) != "00401":
        raise isa.error(12, isa.get(12), "'00401' (version 4010)")
    if isa.get(15) not in ("P", "T"):
        raise isa.error(15, isa.get(15), "'P' (production) or 'T' (test)")
    control = isa.require(13)
    if not control.isdigit() or len(control) != 9:
        raise isa.error(13, control, "a 9-digit control number")
    groups, i = [], 1
    while i < len(segments) and segments[i].id == "GS":
        group, i = _group(segments, i)
        groups.append(group)
    if i >= len(segments) or segments[i].id != "IEA":
        found = segments[i] if i < len(segments) else segments[-1]
        raise X12Error(found.index, found.id, "", found.id, "expected GS or the IEA trailer")
    iea = segments[i]
    if iea.get(2) != control:
        raise iea.error(2, iea.get(2), f"must repeat ISA13 {control!r}")
    if iea.get(1) != str(len(groups)):
        raise iea.error(1, iea.get(1), f"the interchange has {len(groups)} group(s)")
    if i + 1 < len(segments):
        extra = segments[i + 1]
        raise X12Error(extra.index, extra.id, "", extra.id, "nothing may follow the IEA")
    return Interchange(
        sender_qualifier=isa.get(5), sender_id=isa.get(6).strip(),
        receiver_qualifier=isa.get(7), receiver_id=isa.get(8).strip(), date=isa.get(9),
        time=isa.get(10), control_number=control, usage=isa.get(15),
        groups=tuple(groups), delimiters=d, acknowledgment_requested=isa.get(14),
    )  # fmt: skip


def _group(segments: Sequence[Segment], i: int) -> tuple[FunctionalGroup, int]:
    gs = segments[i]
    control = gs.require(6)
    version = gs.require(8)
    if not version.startswith("004010"):
        raise gs.error(8, version, "'004010' (X12 version 4010)")
    sets, i = [], i + 1
    while i < len(segments) and segments[i].id == "ST":
        tx, i = _set(segments, i)
        sets.append(tx)
    if i >= len(segments) or segments[i].id != "GE":
        found = segments[min(i, len(segments) - 1)]
        raise X12Error(found.index, found.id, "", found.id, "expected ST or the GE trailer")
    ge = segments[i]
    if ge.get(2) != control:
        raise ge.error(2, ge.get(2), f"must repeat GS06 {control!r}")
    if ge.get(1) != str(len(sets)):
        raise ge.error(1, ge.get(1), f"the group has {len(sets)} transaction set(s)")
    group = FunctionalGroup(gs.require(1), gs.get(2), gs.get(3), gs.get(4), gs.get(5), control,
                            version, tuple(sets))  # fmt: skip
    return group, i + 1


def _set(segments: Sequence[Segment], i: int) -> tuple[TransactionSet, int]:
    st = segments[i]
    set_id, control = st.require(1), st.require(2)
    start = i
    i += 1
    while i < len(segments) and segments[i].id not in ("SE", "ST", "GE", "IEA"):
        i += 1
    if i >= len(segments) or segments[i].id != "SE":
        found = segments[min(i, len(segments) - 1)]
        raise X12Error(found.index, found.id, "", found.id,
                       f"set {control!r} must end with its SE trailer")  # fmt: skip
    se = segments[i]
    if se.get(2) != control:
        raise se.error(2, se.get(2), f"must repeat ST02 {control!r}")
    count = i - start + 1
    if se.get(1) != str(count):
        raise se.error(1, se.get(1), f"the set has {count} segments, ST and SE included")
    return TransactionSet(set_id, control, tuple(segments[start + 1 : i])), i + 1


def interchange(
    *, sender: tuple[str, str], receiver: tuple[str, str], control_number: int,
    functional_id: str, sets: Iterable[TransactionSet], at: dt.datetime, usage: str = "P",
    delimiters: Delimiters | None = None, group_sender: str = "", group_receiver: str = "",
) -> Interchange:  # fmt: skip
    """One interchange holding one functional group of ``sets``, dated ``at``.

    ``sender`` and ``receiver`` are ``(qualifier, id)`` pairs (``("ZZ", "OMSKIT")``);
    the group uses the same ids unless ``group_sender`` / ``group_receiver`` are given;
    the interchange and the group share ``control_number``.

    Raises:
        ValidationError: a control number outside 1..999999999, or ``usage`` not P or T.
    """
    if not 0 < control_number < 10**9:
        raise ValidationError("control_number", control_number, "between 1 and 999999999")
    if usage not in ("P", "T"):
        raise ValidationError("usage", usage, "'P' (production) or 'T' (test)")
    group = FunctionalGroup(functional_id, group_sender or sender[1],
                            group_receiver or receiver[1], at.strftime("%Y%m%d"),
                            at.strftime("%H%M"), str(control_number), "004010",
                            tuple(sets))  # fmt: skip
    return Interchange(sender[0], sender[1], receiver[0], receiver[1], at.strftime("%y%m%d"),
                       at.strftime("%H%M"), str(control_number).zfill(9), usage, (group,),
                       delimiters or Delimiters())  # fmt: skip
