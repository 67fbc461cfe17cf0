/// Notices a run that goes round in circles (SPEC section 8): the same tool call with the same result `k` times in
/// the run (not necessarily in a row), or `k` turns in a row that brought no new tool result and no text.
///
/// A call's signature is its tool, its arguments (as sent) and its result, so a command run again after a change
/// that alters its output is progress, not a repeat.
public struct ProgressDetector: Sendable {
    /// Why the run is judged stalled: `k` and the signature of what repeated.
    public struct Stalled: Error, Sendable, Equatable {
        public let k: Int
        /// `tool(arguments)` of the repeated call, or `no new result or text` for idle turns.
        public let signature: String
        /// Whether it was one call repeated (rather than turns without anything new).
        public let repeatedCall: Bool

        /// The short reply the user gets.
        public var message: String {
            repeatedCall
                ? "🔁 I stopped: I made the same call (\(signature.prefix(120))) with the same result \(k) times without "
                    + "getting anywhere. Tell me more about what you need, or try another way."
                : "🔁 I stopped: \(k) steps in a row brought nothing new. Tell me more about what you need, or try another way."
        }
    }

    public let k: Int
    private var seen: [String: Int] = [:]
    private var idleTurns = 0
    private var turnBroughtSomethingNew = false

    public init(k: Int = 3) {
        self.k = max(1, k)
    }

    /// Starts a turn; `hasText` is whether the model's answer had text.
    public mutating func beginTurn(hasText: Bool) {
        turnBroughtSomethingNew = hasText
    }

    /// Records one call's result; throws when this same call and result has now been seen `k` times.
    public mutating func record(tool: String, arguments: String, result: String) throws(Stalled) {
        let signature = "\(tool)(\(arguments))"
        let key = signature + "\u{0}" + result
        let count = (seen[key] ?? 0) + 1
        seen[key] = count
        if count == 1 { turnBroughtSomethingNew = true }
        if count >= k { throw Stalled(k: k, signature: signature, repeatedCall: true) }
    }

    /// Ends a turn; throws when `k` turns in a row brought no new result and no text.
    public mutating func endTurn() throws(Stalled) {
        idleTurns = turnBroughtSomethingNew ? 0 : idleTurns + 1
        if idleTurns >= k { throw Stalled(k: k, signature: "no new result or text", repeatedCall: false) }
    }
}
