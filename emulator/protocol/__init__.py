"""OCI wire rules shared by every operation: errors, ids, auth, validation, pages."""
