/// One tool the model can call: its name, what it does, its tier, its typed input, and how it runs.
public protocol Tool: Sendable {
    associatedtype Input: ToolInput
    /// The name the model calls it by.
    var name: String { get }
    /// What the model is told the tool does.
    var description: String { get }
    var tier: ToolTier { get }
    /// Runs the tool on arguments that already passed the schema.
    ///
    /// - Throws: `ToolsError`: a refusal (a path outside the workspace) or `.failed` (the tool ran and could not
    ///   do it); any other outcome, failed commands included, is an envelope.
    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope
}
