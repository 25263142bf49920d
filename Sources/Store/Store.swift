// The versioned object store lives here (see docs/architecture.md).
