"""An extractor made to fail on chosen documents, to show a failure costs those documents only."""

from __future__ import annotations

from collections.abc import Callable


def extractor_failing_on(monkeypatch, marker: str, error: Exception) -> Callable:
    """Make `transforms.extract.extract` raise `error` for any batch holding a text with `marker`;
    returns the real function."""
    import transforms.extract as extraction_module

    real = extraction_module.extract

    def fragile(documents, ontology=None):
        if documents["text"].str.contains(marker).any():
            raise error
        return real(documents, ontology)

    monkeypatch.setattr(extraction_module, "extract", fragile)
    return real
