"""Getting a report to the office: the outbox and the HTTP upload (upload), and the rules update
fetched from the same service (rules)."""
