/// `JSONValue` is part of the adapter's API (tool schemas and arguments): whoever imports `ModelAdapter` has it.
@_exported import JSONSupport
