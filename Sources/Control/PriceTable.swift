/// Prices of model tokens, in US dollars per million, to turn usage into cost (SPEC section 8).
///
/// A model is priced by the longest entry its name starts with (`gpt-4o-mini-2024-07-18` by `gpt-4o-mini`). Unknown
/// models cost `nil` (unknown), never 0.
public struct PriceTable: Sendable {
    public struct Price: Sendable, Equatable {
        public let input: Double
        public let cachedInput: Double
        public let output: Double

        public init(input: Double, cachedInput: Double, output: Double) {
            self.input = input
            self.cachedInput = cachedInput
            self.output = output
        }
    }

    public let prices: [String: Price]

    public init(prices: [String: Price] = PriceTable.published) {
        self.prices = prices
    }

    /// List prices of common OpenAI models (per million tokens), as published in 2025.
    public static let published: [String: Price] = [
        "gpt-4o-mini": Price(input: 0.15, cachedInput: 0.075, output: 0.60),
        "gpt-4o": Price(input: 2.50, cachedInput: 1.25, output: 10.00),
        "gpt-4.1-nano": Price(input: 0.10, cachedInput: 0.025, output: 0.40),
        "gpt-4.1-mini": Price(input: 0.40, cachedInput: 0.10, output: 1.60),
        "gpt-4.1": Price(input: 2.00, cachedInput: 0.50, output: 8.00),
        "gpt-5-nano": Price(input: 0.05, cachedInput: 0.005, output: 0.40),
        "gpt-5-mini": Price(input: 0.25, cachedInput: 0.025, output: 2.00),
        "gpt-5": Price(input: 1.25, cachedInput: 0.125, output: 10.00),
        "o4-mini": Price(input: 1.10, cachedInput: 0.275, output: 4.40),
    ]

    /// The price of `model`, or `nil` when it is not in the table.
    public func price(of model: String) -> Price? {
        prices.keys.filter { model.hasPrefix($0) }.max { $0.count < $1.count }.flatMap { prices[$0] }
    }

    /// The cost of one call, or `nil` when the model's price or the usage is unknown.
    public func cost(model: String, inputTokens: Int?, outputTokens: Int?, cachedTokens: Int?) -> Double? {
        guard let price = price(of: model), let inputTokens, let outputTokens else { return nil }
        let cached = min(cachedTokens ?? 0, inputTokens)
        let perMillion =
            Double(inputTokens - cached) * price.input + Double(cached) * price.cachedInput + Double(outputTokens) * price.output
        // Rounded to a billionth of a dollar, so that payloads read 2.4e-05, not 2.4449999999999998e-05.
        return (perMillion / 1_000_000 * 1e9).rounded() / 1e9
    }
}
