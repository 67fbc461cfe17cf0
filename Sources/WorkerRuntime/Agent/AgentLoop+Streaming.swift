import Control
import Events
import ModelAdapter

extension AgentLoop {
    /// The turn's one model call: streamed into the draft when the run has one (the draft is told when the turn
    /// starts and how it ended; the loop has it record `reply.drafted` after `model.completed`), else a plain call. Retried and guarded the same way either way (`ModelCaller`).
    func callModel(_ request: CompletionRequest, turn: Span, n: Int, drafts: DraftStreamer?) async throws -> CompletionResponse {
        guard let drafts else { return try await caller.complete(request, parent: turn) }
        drafts.turnStarted(n)
        let response = try await caller.complete(request, parent: turn, onDelta: drafts.onDelta)
        drafts.turnEnded(with: response)
        return response
    }
}
