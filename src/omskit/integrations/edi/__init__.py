"""EDI by ASC X12 004010.

``x12``: the envelope, read with the separators the ISA declares, and written back.
``documents``: the 850 read into capture payloads; 855, 856, 810 and 997 written.
``warehouse``: the 940 to a third-party warehouse, and its 945 read back.
"""

__all__: list[str] = []
