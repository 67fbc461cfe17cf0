/// Why no fence can be had here: bubblewrap missing, or its trial run failed.
public struct FenceError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
