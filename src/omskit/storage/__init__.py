"""Storage ports and the embedded in-memory backend."""

from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Aggregate, Collection, Repository, StorageBackend, UnitOfWork

__all__ = ["Aggregate", "Collection", "MemoryStore", "Repository", "StorageBackend", "UnitOfWork"]
