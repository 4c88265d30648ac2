"""Read-only queries shared by lifecycle, stages, forms, mail and portal, beneath them all."""
