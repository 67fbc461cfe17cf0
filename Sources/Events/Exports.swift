/// `JSONValue` and `JSONObject` are part of the store's API (payloads): whoever imports `Events` has them.
@_exported import JSONSupport
