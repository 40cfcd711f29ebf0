"""Customers, their addresses and where on the globe those are."""

from omskit.customers.address import Address, uses_postal_codes
from omskit.customers.events import CustomerRegistered, CustomerUpdated
from omskit.customers.geo import GeoPoint
from omskit.customers.model import CUSTOMERS, Customer
from omskit.customers.regions import EU_CUSTOMS_UNION, EU_MEMBER_STATES, customs_territory
from omskit.customers.service import CustomerService

__all__ = [
    "CUSTOMERS",
    "EU_CUSTOMS_UNION",
    "EU_MEMBER_STATES",
    "Address",
    "Customer",
    "CustomerRegistered",
    "CustomerService",
    "CustomerUpdated",
    "GeoPoint",
    "customs_territory",
    "uses_postal_codes",
]
