import Fence
import Foundation
import ProcessControl
import TestSupport
import Testing

/// A folder under `/var/tmp` (not under `/tmp`, which the fence replaces with an empty one), removed when released.
final class OutsideTemporaryFolder {
    let path: String

    init() throws {
        // /var/tmp, not the checkout's folder: a checkout may itself be under /tmp (CI clones anywhere).
        path = "/var/tmp/fence-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// The fence itself, apart from any tool: what a command inside sees and may do.
@Suite(
    "Fence", .enabled("needs a bubblewrap fence, which none can make inside a stage's fenced tests") { await FenceCheck.works() },
    .timeLimit(.minutes(2)))
struct FenceTests {
    /// Runs `script` with `/bin/sh` inside `layout`; nil when bubblewrap does not work on this machine.
    func run(_ script: String, _ layout: FenceLayout) async throws -> ProcessResult? {
        guard case .success(let fence) = await Fence.trial(layout, environment: TestEnvironment.make()) else { return nil }
        return try await ProcessRunner.run(
            ProcessSpec(
                executable: fence.bubblewrap, arguments: fence.arguments(layout, running: ["/bin/sh", "-c", script]),
                environment: TestEnvironment.make()),
            timeout: .seconds(30))
    }

    @Test("hidden folders are empty, hidden files read empty, mounts land where asked, the rest is read-only")
    func layoutHolds() async throws {
        // Not under /tmp, which is a fresh folder inside the fence.
        let folder = try OutsideTemporaryFolder()
        let secret = folder.file("state")
        let work = folder.file("work")
        try FileManager.default.createDirectory(atPath: secret, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try "top secret".write(toFile: "\(secret)/key", atomically: true, encoding: .utf8)
        try "database bytes".write(toFile: folder.file("agent.db"), atomically: true, encoding: .utf8)
        try "outside".write(toFile: folder.file("outside.txt"), atomically: true, encoding: .utf8)
        let layout = FenceLayout(
            hiddenFolders: [secret], hiddenFiles: [folder.file("agent.db")],
            mounts: [.init(source: work, writable: true), .init(source: work, destination: "/tmp/stage", writable: false)],
            workingDirectory: work)
        let script = """
            ls -A \(secret) | wc -l; cat \(folder.file("agent.db")) | wc -c; echo made > made.txt && echo wrote-work
            cat /tmp/stage/made.txt; echo x > \(folder.file("outside.txt")) 2>/dev/null || echo refused-outside
            echo y > /tmp/stage/other 2>/dev/null || echo refused-readonly-mount
            """
        guard let result = try await run(script, layout) else { return }
        let lines = result.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines == ["0", "0", "wrote-work", "made", "refused-outside", "refused-readonly-mount"], "\(result.standardError)")
        #expect(try String(contentsOfFile: folder.file("outside.txt"), encoding: .utf8) == "outside")
        #expect(FileManager.default.fileExists(atPath: "\(work)/made.txt"))
    }

    @Test("no network without leave, and the host's processes are not visible")
    func isolation() async throws {
        let folder = TemporaryDirectory(prefix: "fence")
        let layout = FenceLayout(workingDirectory: folder.path)
        let script = "ls /sys/class/net | tr '\\n' ' '; echo; ls /proc | grep -c '^[0-9]'"
        guard let result = try await run(script, layout) else { return }
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.first?.trimmingCharacters(in: .whitespaces) == "lo", "\(result.standardOutput)")
        #expect(Int(lines.last ?? "") ?? 99 <= 4, "processes visible inside: \(result.standardOutput)")
    }

    @Test("a pids cgroup left by a process that died is removed by the next trial; one in use is kept")
    func abandonedCgroupsAreRemoved() async throws {
        guard case .success(let parent) = await PidsCgroup.parent() else { return }
        // pid_max is at most 4194304: no process has this pid.
        let abandoned = "\(parent)/agent-fence-99999999-0"
        try FileManager.default.createDirectory(atPath: abandoned, withIntermediateDirectories: false)
        let mine = try PidsCgroup.make(in: parent, limit: 10)
        guard case .success = await PidsCgroup.parent() else { return }
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: mine.path))
        #expect(try String(contentsOfFile: "\(mine.path)/pids.max", encoding: .utf8) == "10\n")
        await mine.remove()
        #expect(!FileManager.default.fileExists(atPath: mine.path))
    }
}
