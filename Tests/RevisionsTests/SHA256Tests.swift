import Foundation
import ProcessControl
import Revisions
import TestSupport
import Testing

@Suite("SHA-256", .timeLimit(.minutes(1)))
struct SHA256Tests {
    @Test(
        "known digests",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func knownDigests(input: String, digest: String) {
        #expect(SHA256.hex(of: Array(input.utf8)) == digest)
    }

    @Test("a file fed in pieces hashes as sha256sum does")
    func matchesSha256sum() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("blob")
        var bytes = [UInt8]()
        for index in 0..<3_000_037 { bytes.append(UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13)) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try await ProcessRunner.run(
            ProcessSpec(executable: "sha256sum", arguments: [path], environment: TestEnvironment.make()))
        let expected = String(result.standardOutput.prefix(64))
        #expect(try FileDigest.sha256(ofFile: path) == expected)
        var pieces = SHA256()
        for start in stride(from: 0, to: bytes.count, by: 777) { pieces.update(bytes[start..<min(start + 777, bytes.count)]) }
        #expect(pieces.finalizeHex() == expected)
    }
}
