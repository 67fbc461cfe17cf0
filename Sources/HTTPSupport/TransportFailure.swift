import CCurl

/// Why an exchange got no HTTP answer, in words that hold no URL (a URL may hold the bot token).
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a caller acts on it.
    public enum Kind: Sendable, Equatable {
        /// Nobody answered on the host's port (refused, unreachable).
        case cannotConnect
        /// The host's name did not resolve.
        case hostNotFound
        /// The connection broke before the whole answer arrived.
        case connectionLost
        /// The TLS handshake or the certificate failed.
        case tls
        /// The answer was not HTTP.
        case badResponse
        /// Anything else libcurl reports.
        case other
        /// libcurl itself could not be loaded (not installed, too old): no request can be made at all.
        case clientUnavailable
    }

    public let kind: Kind
    /// libcurl's `CURLcode`.
    public let code: Int

    public init(kind: Kind, code: Int) {
        self.kind = kind
        self.code = code
    }

    init(curl code: CURLcode) {
        self.code = Int(code.rawValue)
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .cannotConnect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .hostNotFound
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: kind = .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE:
            kind = .tls
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: kind = .badResponse
        default: kind = .other
        }
    }

    /// Whether the request may have reached the server before the failure, so that the server may have acted on
    /// it: false only when no request can have gone out (the connection was refused or unreachable, the name did
    /// not resolve, the TLS handshake failed, the URL or its scheme was refused before sending).
    public var requestMayHaveArrived: Bool {
        switch kind {
        case .cannotConnect, .hostNotFound, .tls, .clientUnavailable: false
        case .badResponse: code != Int(CURLE_URL_MALFORMAT.rawValue) && code != Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue)
        case .connectionLost, .other: true
        }
    }

    public var description: String {
        let words =
            switch kind {
            case .cannotConnect: "cannot connect to the server"
            case .hostNotFound: "cannot resolve the server's name"
            case .connectionLost: "the connection was lost before the whole answer"
            case .tls: "the TLS connection failed"
            case .badResponse: "the server's answer is not HTTP"
            case .other: "the request failed"
            case .clientUnavailable: "the HTTP client (libcurl) could not be loaded"
            }
        return "\(words) (curl error \(code))"
    }
}
