"""The documents the engine can write, by stage slug, for the CLI and the flows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arshjul.documents.ramar import TITLE as RAMAR_TITLE
from arshjul.documents.ramar import RamarDocumentData, build_ramar_document
from arshjul.errors import NotFoundError


@dataclass(frozen=True)
class DocumentKind:
    """A document: its stage slug, Swedish title, data class and build function."""

    slug: str
    title: str
    data_type: type
    build: Callable[..., Path]


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "ramar": DocumentKind("ramar", RAMAR_TITLE, RamarDocumentData, build_ramar_document),
}


def get_document_kind(slug: str) -> DocumentKind:
    """The kind for a slug; an unknown slug is a Swedish :class:`NotFoundError`."""
    try:
        return DOCUMENT_KINDS[slug]
    except KeyError:
        known = ", ".join(sorted(DOCUMENT_KINDS))
        raise NotFoundError(f"Det finns inget dokument för ”{slug}”; det finns: {known}") from None


def build_document(
    slug: str,
    data: object,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
) -> Path:
    """Build the document of ``slug`` from its data class; returns the written file."""
    kind = get_document_kind(slug)
    if not isinstance(data, kind.data_type):
        raise TypeError(f"{slug} needs {kind.data_type.__name__}, got {type(data).__name__}")
    return kind.build(data, template=template, logo=logo, out_dir=out_dir)
