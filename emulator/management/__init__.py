"""Management API behaviour: one module per resource family, handlers named after SDK operations."""
