"""Returns, exchanges and claims: an RMA policy engine whose refunds reconcile.

Reached as ``oms.returns`` ([`ReturnsService`][]). Eligibility rules are registered by
name (``omskit_register_return_rules``) and composed per channel and product category
([`ReturnSettings`][]); an RMA moves only along its transition table
(``omskit.returns.lifecycle``); refunds are exact cumulative shares of what the
customer paid ([`compute_refund`][]), capped at what the payment holds.
"""

from omskit.returns.errors import ReturnNotEligible, UnknownReturn
from omskit.returns.events import (
    CarrierClaimDecided,
    CarrierClaimFiled,
    ClaimFiled,
    ExchangeOrderCreated,
    RefundIssued,
    ReturnAuthorized,
    ReturnCancelled,
    ReturnClosed,
    ReturnExpired,
    ReturnInspected,
    ReturnInTransit,
    ReturnReceived,
    ReturnRejected,
    ReturnRequested,
    RmaLabelIssued,
)
from omskit.returns.hooks import ReturnRulesPlugin
from omskit.returns.lifecycle import RMA_STATUSES, RMA_TRANSITIONS
from omskit.returns.model import (
    CARRIER_CLAIM_STATUSES,
    DISPOSITIONS,
    AdvanceHold,
    CarrierClaim,
    RefundRecord,
    Rma,
    RmaEntry,
    RmaLine,
)
from omskit.returns.policy import LineRequest, LineVerdict, ReturnCheck
from omskit.returns.ports import ReturnsContext, ReturnsServices
from omskit.returns.reasons import DEFAULT_REASONS, Reason, ReasonTree
from omskit.returns.refunds import RefundBreakdown, RefundLine, compute_refund, unit_share
from omskit.returns.rules import LineContext, ReturnRule
from omskit.returns.service import ReturnsService
from omskit.returns.settings import BUILTIN_RULES, ReturnPolicy, ReturnSettings
from omskit.returns.totals import LineTotals, RateTotals, ReturnTotals

__all__ = [
    "BUILTIN_RULES",
    "CARRIER_CLAIM_STATUSES",
    "DEFAULT_REASONS",
    "DISPOSITIONS",
    "RMA_STATUSES",
    "RMA_TRANSITIONS",
    "AdvanceHold",
    "CarrierClaim",
    "CarrierClaimDecided",
    "CarrierClaimFiled",
    "ClaimFiled",
    "ExchangeOrderCreated",
    "LineContext",
    "LineRequest",
    "LineTotals",
    "LineVerdict",
    "RateTotals",
    "Reason",
    "ReasonTree",
    "RefundBreakdown",
    "RefundIssued",
    "RefundLine",
    "RefundRecord",
    "ReturnAuthorized",
    "ReturnCancelled",
    "ReturnCheck",
    "ReturnClosed",
    "ReturnExpired",
    "ReturnInTransit",
    "ReturnInspected",
    "ReturnNotEligible",
    "ReturnPolicy",
    "ReturnReceived",
    "ReturnRejected",
    "ReturnRequested",
    "ReturnRule",
    "ReturnRulesPlugin",
    "ReturnSettings",
    "ReturnTotals",
    "ReturnsContext",
    "ReturnsService",
    "ReturnsServices",
    "Rma",
    "RmaEntry",
    "RmaLabelIssued",
    "RmaLine",
    "UnknownReturn",
    "compute_refund",
    "unit_share",
]
