// Placeholder until the issue that builds this target lands.
