"""Adapters to the systems an OMS lives among, each in its own module and optional extra.

Nothing imports this package: every adapter sits above the capabilities it plugs into
(see docs/integrations.md).
"""
