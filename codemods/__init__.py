"""LibCST codemods, one transformation per module; `migrator apply` runs them phase by phase."""
