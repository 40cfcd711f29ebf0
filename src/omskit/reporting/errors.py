"""Errors of the reporting capability.

```text
OmskitError
└── MissingExtra (also ImportError)
```

Bad report input (an unknown KPI, dimension or period, a bad query) raises the kernel's
`ValidationError`; a rate nobody knows raises `NotFound`.
"""

from __future__ import annotations

from omskit.errors import OmskitError

__all__ = ["MissingExtra"]


class MissingExtra(OmskitError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, module: str, extra: str = "reports") -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{module} is not installed; install the extra: pip install 'omskit[{extra}]'"
        )
