import CCurl
import FoundationEssentials
import Synchronization
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// The thread that drives libcurl's multi handle for an `HTTPTransport`: it adds submitted transfers, removes
/// cancelled ones, lets libcurl do the I/O, and finishes each transfer when libcurl reports it done.
///
/// Other threads only queue work (`submit`, `cancel`) and wake the thread with `curl_multi_wakeup`, the one call of
/// the multi handle libcurl allows from another thread. The thread starts with the first transfer.
final class TransferLoop: @unchecked Sendable {  // `multi` and `active` are the loop thread's; `queue` has a mutex.
    private struct Queue {
        var added: [Transfer] = []
        var cancelled: [Transfer] = []
        var started = false
    }

    /// libcurl's multi handle, `nil` when libcurl could not be loaded: every transfer then fails at once.
    private let multi: UnsafeMutableRawPointer?
    private let queue = Mutex(Queue())
    /// Transfers in libcurl's hands, by easy handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    /// Loads libcurl (once per process) and makes the multi handle; when that fails, says why on standard error
    /// (one line, no URL in it).
    init() {
        let failure = ccurl_load().map { String(cString: $0) }
        guard failure == nil, let multi = ccurl_multi_init() else {
            let line = Array("http: \(failure ?? "curl_multi_init failed"); every request will fail\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            self.multi = nil
            return
        }
        self.multi = multi
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 32)
    }

    func submit(_ transfer: Transfer) {
        guard let multi else {
            transfer.finish(.failed(TransportFailure(kind: .clientUnavailable, code: Int(CURLE_FAILED_INIT.rawValue))))
            return
        }
        let start = queue.withLock { queue -> Bool in
            queue.added.append(transfer)
            defer { queue.started = true }
            return !queue.started
        }
        if start { startThread() } else { ccurl_multi_wakeup(multi) }
    }

    func cancel(_ transfer: Transfer) {
        guard !transfer.hasEnded else { return }
        let started = queue.withLock { queue -> Bool in
            queue.cancelled.append(transfer)
            return queue.started
        }
        // Not submitted yet: it ends now, and `begin` or the loop will see it ended.
        if let multi, started { ccurl_multi_wakeup(multi) } else { transfer.finish(.cancelled) }
    }

    private func startThread() {
        DetachedThread.start(name: "http-transfers") { [self] in run() }
    }

    /// The multi handle, on the loop thread: the thread only starts when libcurl was loaded.
    private var loadedMulti: UnsafeMutableRawPointer { multi! }

    /// The thread's life: it runs as long as the process (the transport is shared and long-lived).
    private func run() {
        while true {
            let (added, cancelled) = queue.withLock { queue in
                defer {
                    queue.added.removeAll(keepingCapacity: true)
                    queue.cancelled.removeAll(keepingCapacity: true)
                }
                return (queue.added, queue.cancelled)
            }
            for transfer in added where !transfer.hasEnded { start(transfer) }
            for transfer in cancelled {
                if let handle = transfer.handle, active[handle] != nil { end(transfer, with: .cancelled) }
                transfer.finish(.cancelled)
            }
            var running: Int32 = 0
            ccurl_multi_perform(loadedMulti, &running)
            var left: Int32 = 0
            while let message = ccurl_multi_info_read(loadedMulti, &left) {
                var handle: UnsafeMutableRawPointer?
                var result = CURLE_OK
                guard ccurl_message_done(message, &handle, &result) != 0, let handle, let transfer = active[handle] else { continue }
                end(transfer, with: ending(of: transfer, result: result))
            }
            ccurl_multi_poll(loadedMulti, expireIdleStreams())
        }
    }

    /// Ends the streams that have been silent past their idle timeout; returns how long the loop may sleep (ms)
    /// before the next one would be due (at most a second).
    private func expireIdleStreams() -> Int32 {
        let now = Monotonic.now()
        var sleep: UInt64 = 1_000_000_000
        for transfer in active.values {
            guard let deadline = transfer.idleDeadline else { continue }
            if deadline <= now {
                end(transfer, with: .timedOut)
            } else {
                sleep = min(sleep, deadline - now)
            }
        }
        return Int32((sleep + 999_999) / 1_000_000)
    }

    private func ending(of transfer: Transfer, result: CURLcode) -> Transfer.Ending {
        switch result {
        case CURLE_OK:
            if let handle = transfer.handle, transfer.status == 0 {
                var code = 0
                ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
                transfer.status = code
            }
            return .done
        case CURLE_WRITE_ERROR where transfer.stoppedByReceiver: return .done
        case CURLE_WRITE_ERROR where transfer.tooLarge: return .failed(TransportFailure(kind: .badResponse, code: Int(result.rawValue)))
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        default: return .failed(TransportFailure(curl: result))
        }
    }

    /// Configures an easy handle for `transfer` and hands it to libcurl.
    private func start(_ transfer: Transfer) {
        guard let handle = ccurl_easy_init() else {
            transfer.finish(.failed(TransportFailure(kind: .other, code: Int(CURLE_OUT_OF_MEMORY.rawValue))))
            return
        }
        transfer.handle = handle
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        ccurl_easy_setopt_string(handle, CURLOPT_NOPROXY, Self.noProxy)
        switch request.method {
        case "GET": ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST": ccurl_easy_setopt_long(handle, CURLOPT_POST, 1)
        default: ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if request.method != "GET" {
            // Always given, even empty: without it libcurl would read the body from standard input. COPYPOSTFIELDS
            // copies it, so it need not outlive this call.
            ccurl_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if request.body.isEmpty {
                ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                request.body.withUnsafeBytes { bytes in
                    _ = ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
        }
        // "Expect:" keeps libcurl from waiting for a 100 Continue before larger bodies.
        var list: UnsafeMutablePointer<curl_slist>? = ccurl_slist_append(nil, "Expect:")
        for header in request.headers { list = ccurl_slist_append(list, "\(header.name): \(header.value)") }
        transfer.headerList = list
        ccurl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
        switch transfer.mode {
        case .whole(let deadline):
            ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Self.milliseconds(deadline)))
        case .streamed:
            // No overall deadline: a stream ends when nothing arrives for its idle timeout (`expireIdleStreams`).
            transfer.noteActivity()
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        ccurl_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            data.withMemoryRebound(to: UInt8.self, capacity: size * count) { bytes in
                transfer.received(headerLine: UnsafeBufferPointer(start: bytes, count: size * count))
            }
            return size * count
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        ccurl_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            let kept = data.withMemoryRebound(to: UInt8.self, capacity: size * count) { bytes in
                transfer.received(bodyBytes: UnsafeBufferPointer(start: bytes, count: size * count))
            }
            return kept ? size * count : 0
        }
        active[handle] = transfer
        ccurl_multi_add_handle(loadedMulti, handle)
    }

    /// Takes the transfer back from libcurl, frees its handle and resumes its caller.
    private func end(_ transfer: Transfer, with ending: Transfer.Ending) {
        if let handle = transfer.handle {
            ccurl_multi_remove_handle(loadedMulti, handle)
            active[handle] = nil
            ccurl_easy_cleanup(handle)
            transfer.handle = nil
        }
        ccurl_slist_free_all(transfer.headerList)
        transfer.headerList = nil
        transfer.finish(ending)
    }

    /// The hosts never reached through a proxy: the operator's `NO_PROXY` (libcurl honours `https_proxy` and the
    /// like, as an operator behind one expects) and always the loopback, where the tests' doubles are.
    static let noProxy: String = {
        let environment = ProcessInfo.processInfo.environment
        let configured = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        return ([configured] + ["localhost", "127.0.0.1", "::1"]).filter { !$0.isEmpty }.joined(separator: ",")
    }()

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
