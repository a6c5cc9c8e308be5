"""Before/after tests of the codemods; the cases are data modules beside them."""
