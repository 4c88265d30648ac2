"""Every rule of the governance model, once: no session, no Prefect, no documents.

The stages, the watch, the forms, the portal and the documents call these functions;
each rule has its own unit tests (tests/governance/).
"""
