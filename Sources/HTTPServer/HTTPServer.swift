// HTTP server: see docs/architecture.md.
