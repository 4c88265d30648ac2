"""Årshjul: a Swedish municipality's annual planning and follow-up cycle on Prefect."""

__version__ = "0.1.0"
