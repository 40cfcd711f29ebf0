"""omskit: a pure-Python order management SDK.

Start with :class:`OMS`::

    from omskit import OMS
    oms = OMS.in_memory()

Everything a host application needs is importable from here; submodules hold the
details and the protocols to implement for plugins.
"""

from omskit.catalog import Dimensions, KitComponent, Product
from omskit.channels import Channel
from omskit.clock import Clock, SystemClock
from omskit.config import OMSConfig
from omskit.customers import Address, Customer, GeoPoint
from omskit.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    Conflict,
    CurrencyMismatch,
    DuplicateRegistration,
    FloatNotAllowed,
    IdempotencyConflict,
    InsufficientStock,
    InvalidAmount,
    InvalidEmail,
    InvalidQuantity,
    InvalidSku,
    InvalidTransition,
    NotFound,
    OmskitError,
    PaymentError,
    PluginError,
    Problem,
    UnknownCountry,
    UnknownCurrency,
    UnknownProvider,
    UnknownSku,
    ValidationError,
)
from omskit.events import DeadLetter, Event, RetryPolicy
from omskit.ids import IdGenerator, RandomIds, SequentialIds
from omskit.money import (
    Conversion,
    ExchangeRate,
    ExchangeRateProvider,
    FixedRates,
    Money,
    RoundingPolicy,
    TaxedMoney,
    allocate,
    convert,
    format_money,
)
from omskit.oms import OMS
from omskit.plugins import hookimpl

__version__ = "0.1.0.dev0"

__all__ = [
    "OMS",
    "Address",
    "AlreadyExists",
    "Channel",
    "Clock",
    "ConcurrencyConflict",
    "Conflict",
    "Conversion",
    "CurrencyMismatch",
    "Customer",
    "DeadLetter",
    "Dimensions",
    "DuplicateRegistration",
    "Event",
    "ExchangeRate",
    "ExchangeRateProvider",
    "FixedRates",
    "FloatNotAllowed",
    "GeoPoint",
    "IdGenerator",
    "IdempotencyConflict",
    "InsufficientStock",
    "InvalidAmount",
    "InvalidEmail",
    "InvalidQuantity",
    "InvalidSku",
    "InvalidTransition",
    "KitComponent",
    "Money",
    "NotFound",
    "OMSConfig",
    "OmskitError",
    "PaymentError",
    "PluginError",
    "Problem",
    "Product",
    "RandomIds",
    "RetryPolicy",
    "RoundingPolicy",
    "SequentialIds",
    "SystemClock",
    "TaxedMoney",
    "UnknownCountry",
    "UnknownCurrency",
    "UnknownProvider",
    "UnknownSku",
    "ValidationError",
    "__version__",
    "allocate",
    "convert",
    "format_money",
    "hookimpl",
]
