/// A setting from the environment that is missing or malformed.
///
/// Its description is one line naming the variable; the value of a secret is never part of it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
