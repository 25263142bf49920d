// Socket layer: see docs/architecture.md.
