"""The municipality's books: chart of accounts, statements, the group, key figures."""
