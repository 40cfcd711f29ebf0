"""Data of the built-in table-rate carrier: the demo rate table and webhook codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DEMO_TABLE", "TABLE_RATE_CODES"]

#: The built-in demo table (EUR, shipping from Germany).
DEMO_TABLE: Mapping[str, Any] = {
    "name": "tablerate",
    "title": "Table Rate Post",
    "currency": "EUR",
    "dim_divisor": 5000,
    "cutoff_hour": 16,
    "zones": [
        {
            "name": "de-islands",
            "countries": ["DE"],
            "remote": True,
            "postal_prefixes": [
                "18565",
                "25849",
                "25859",
                "25863",
                "25869",
                "25938",
                "25946",
                "25980",
                "26465",
                "26474",
                "26486",
                "26548",
                "26571",
                "26579",
                "26757",
                "27498",
            ],
        },
        {"name": "domestic", "countries": ["DE"]},
        {
            "name": "eu",
            "countries": [
                "AT",
                "BE",
                "DK",
                "ES",
                "FR",
                "IT",
                "LU",
                "NL",
                "PL",
                "PT",
                "SE",
                "CZ",
                "FI",
                "IE",
            ],
        },
        {"name": "europe", "countries": ["CH", "GB", "NO"]},
        {"name": "world", "countries": ["*"], "exclude": ["KP", "IR", "SY", "CU"]},
    ],
    "services": [
        {
            "code": "standard",
            "name": "Standard parcel",
            "transit_days": {"de-islands": 4, "domestic": 2, "eu": 4, "europe": 5, "world": 9},
        },
        {
            "code": "express",
            "name": "Express",
            "transit_days": {"de-islands": 2, "domestic": 1, "eu": 2, "europe": 3},
        },
    ],
    "rates": {
        "standard": {
            "de-islands": [[1000, "4.90"], [5000, "6.90"], [10000, "9.90"], [31500, "16.90"]],
            "domestic": [[1000, "4.90"], [5000, "6.90"], [10000, "9.90"], [31500, "16.90"]],
            "eu": [[1000, "9.90"], [5000, "14.90"], [10000, "21.90"], [31500, "39.90"]],
            "europe": [[1000, "14.90"], [5000, "22.90"], [10000, "32.90"], [31500, "54.90"]],
            "world": [[1000, "24.90"], [5000, "44.90"], [10000, "69.90"], [31500, "99.90"]],
        },
        "express": {
            "de-islands": [[1000, "14.90"], [5000, "19.90"], [10000, "26.90"]],
            "domestic": [[1000, "11.90"], [5000, "15.90"], [10000, "22.90"]],
            "eu": [[1000, "24.90"], [5000, "34.90"], [10000, "49.90"]],
            "europe": [[1000, "34.90"], [5000, "49.90"], [10000, "69.90"]],
        },
    },
    "surcharges": {"remote_area": "4.50", "fuel_percent": "8"},
    "free_shipping": {"threshold": "75.00", "services": ["standard"], "zones": ["domestic"]},
}

#: Tracking codes in the table-rate carrier's webhook ("tag" of each checkpoint).
TABLE_RATE_CODES: Mapping[str, str] = {
    "InfoReceived": "label_purchased",
    "PickedUp": "handed_over",
    "InTransit": "in_transit",
    "Delayed": "delayed",
    "OutForDelivery": "out_for_delivery",
    "AttemptFail": "failed_attempt",
    "Delivered": "delivered",
    "Lost": "lost",
    "ReturnedToSender": "returned_to_sender",
}
