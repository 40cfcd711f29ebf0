"""Customers, their addresses and where on the globe those are."""

from omskit.customers.address import Address, uses_postal_codes
from omskit.customers.events import CustomerRegistered, CustomerUpdated
from omskit.customers.geo import GeoPoint
from omskit.customers.model import CUSTOMERS, Customer
from omskit.customers.service import CustomerService

__all__ = [
    "CUSTOMERS",
    "Address",
    "Customer",
    "CustomerRegistered",
    "CustomerService",
    "CustomerUpdated",
    "GeoPoint",
    "uses_postal_codes",
]
