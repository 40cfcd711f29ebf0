"""Adapters to the systems an OMS lives among (each an optional module; see docs/integrations.md).

Channels: ``channel`` (shared), ``shopify``, ``woocommerce``, ``amazon``, ``ebay``,
``magento``; EDI X12: ``edi``; CRM / BI exports: ``crm``. Services: ``transport``
(requests for a host-supplied HTTP transport), ``stripe`` (payments), ``broker``
(the event relay; ``broker.rabbitmq`` needs the ``rabbitmq`` extra). Import the module
you use; nothing here imports the ``OMS`` facade.
"""

__all__: list[str] = []
