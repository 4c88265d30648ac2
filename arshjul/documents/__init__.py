"""Word documents on a municipality's base template: the builder and the stage documents."""

from arshjul.documents.base import DEFAULT_TEMPLATE, TEMPLATES_DIR, open_base_template
from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.filenames import safe_filename
from arshjul.documents.ramar import (
    AnalysisInstructions,
    ChangeKind,
    CommitteeFrame,
    Decision,
    FinancialStartingPoints,
    FrameChange,
    RamarDocumentData,
    TimetableRow,
    build_ramar_document,
)
from arshjul.documents.registry import (
    DOCUMENT_KINDS,
    DocumentKind,
    build_document,
    get_document_kind,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "DOCUMENT_KINDS",
    "TEMPLATES_DIR",
    "AnalysisInstructions",
    "ChangeKind",
    "CommitteeFrame",
    "Decision",
    "DocumentBuilder",
    "DocumentKind",
    "FinancialStartingPoints",
    "FrameChange",
    "RamarDocumentData",
    "TimetableRow",
    "build_document",
    "build_ramar_document",
    "get_document_kind",
    "open_base_template",
    "safe_filename",
]
