import Events

/// One event of a tree with its children, and what the tree view shows of it.
public struct EventTreeNode: Sendable {
    public let event: Event
    public var children: [EventTreeNode]
    /// Whether the event opens a span (`X.started`, `process.started`, `worker.spawned`).
    public let opensSpan: Bool
    /// Closing time minus opening time; `nil` while open and for events that open no span.
    public var durationMilliseconds: Int64?
    /// A span without its closing event: still running, or its process died before closing it.
    public var unfinished: Bool
    /// Tokens of every `model.completed` in the subtree whose usage was known.
    public var inputTokens: Int64
    public var outputTokens: Int64
}

/// Rebuilds the hierarchy of events from their `parent_id`s.
public enum EventTree {
    /// An event with the token counts it carries itself (non-zero for `model.completed` only).
    public struct Entry: Sendable {
        public let event: Event
        public let inputTokens: Int64?
        public let outputTokens: Int64?

        public init(event: Event, inputTokens: Int64? = nil, outputTokens: Int64? = nil) {
            self.event = event
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
        }
    }

    /// Builds the tree rooted at `entries[0]`; every other entry's parent must be among the entries, and every
    /// entry must come after its parent (ids grow, and a parent is written before its children).
    public static func build(_ entries: [Entry]) -> EventTreeNode? {
        guard !entries.isEmpty else { return nil }
        var indexByID: [Int64: Int] = [:]
        indexByID.reserveCapacity(entries.count)
        var childIndices = [[Int]](repeating: [], count: entries.count)
        for (index, entry) in entries.enumerated() {
            indexByID[entry.event.id] = index
            if index > 0, let parent = entry.event.parentID, let parentIndex = indexByID[parent] {
                childIndices[parentIndex].append(index)
            }
        }
        var nodes: [EventTreeNode?] = entries.map { entry in
            EventTreeNode(
                event: entry.event, children: [], opensSpan: EventKind.closingKinds(of: entry.event.kind) != nil,
                durationMilliseconds: nil, unfinished: false,
                inputTokens: entry.inputTokens ?? 0, outputTokens: entry.outputTokens ?? 0)
        }
        // Children have higher indices than their parents: finish them first, then fold them in.
        for index in stride(from: entries.count - 1, through: 0, by: -1) {
            var node = nodes[index]!
            node.children = childIndices[index].map { nodes[$0]! }
            for child in childIndices[index] { nodes[child] = nil }
            for child in node.children {
                node.inputTokens += child.inputTokens
                node.outputTokens += child.outputTokens
            }
            if let closing = EventKind.closingKinds(of: node.event.kind) {
                if let close = node.children.first(where: { closing.contains($0.event.kind) }) {
                    node.durationMilliseconds = close.event.ts - node.event.ts
                } else {
                    node.unfinished = true
                }
            }
            nodes[index] = node
        }
        return nodes[0]
    }
}
