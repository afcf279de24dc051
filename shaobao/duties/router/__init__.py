"""Route citizen messages to subject categories (pure Python, no Django)."""

from .engine import (
    FORMAT_VERSION,
    ModelFormatError,
    Prediction,
    RouterModel,
    evaluate,
    load,
    save,
    train,
)

__all__ = [
    "FORMAT_VERSION",
    "ModelFormatError",
    "Prediction",
    "RouterModel",
    "evaluate",
    "load",
    "save",
    "train",
]
