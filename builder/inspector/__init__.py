"""The inspector's logic: form specs from a node type's schema, field errors, secrets, drafts."""
