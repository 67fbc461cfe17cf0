import Events
import Foundation
import ProcessControl
import Revisions
import Settings

/// The steps of one stage, from its open transaction to its row `staged` or failed.
struct StageRun: Sendable {
    let stager: Stager
    let id: Int64
    let transaction: Int64
    /// `AGENT_HOME/staging/<id>`: the source copy, the logs, the artifact being made.
    let staging: String
    let source: StageSource
    let sourceCommit: String?

    var store: EventStore { stager.store }
    var settings: PipelineSettings { stager.settings }
    var inside: String { StepRunner.inside }

    func execute() async throws(PipelineError) -> ArtifactRecord {
        let runner: StepRunner
        do {
            runner = try await StepRunner.make(staging: staging, settings: settings)
        } catch {
            try fail(.build, reason: error.message, span: nil)
        }
        var patchSHA256: String?
        var diffstat: String?
        var dependencies: JSONObject = [:]
        var buildSeconds: Double?
        var tests: TestReport?
        var toolchain: String?
        let binary = "\(staging)/artifact/\(ArtifactStore.workerName)"

        if case .binary(let path) = source {
            do {
                try FileManager.default.copyItem(atPath: path, toPath: binary)
            } catch {
                try fail(.build, reason: "cannot copy \(path): \(error.localizedDescription)", span: nil)
            }
            diffstat = "a worker binary staged as it is (no build, no tests)"
        } else {
            let tree = SourceTree(git: stager.git, path: "\(staging)/src")
            let prepared = try await prepareSource(tree)
            patchSHA256 = prepared.patchSHA256
            diffstat = prepared.diffstat
            dependencies = tree.seedDependencies(from: settings.dependencies)
            toolchain = await Self.toolchain(searchPath: settings.searchPath)
            let build = try await step(
                .build, runner: runner, command: settings.build,
                payload: [
                    "command": .string(settings.build.command), "patch_sha256": JSONValue(patchSHA256), "diffstat": JSONValue(diffstat),
                ])
            let built = "\(tree.path)/\(settings.builtWorker)"
            guard FileManager.default.isExecutableFile(atPath: built) else {
                try fail(.build, reason: "the build left no executable at \(settings.builtWorker)", span: build.span)
            }
            try close(build.span, step: .build, outcome: build.outcome, extra: [:])
            buildSeconds = Double(build.outcome.duration.wholeMilliseconds) / 1000
            progress("build: done in \(Int(buildSeconds ?? 0)) s")
            do {
                try FileManager.default.copyItem(atPath: built, toPath: binary)
            } catch {
                try fail(.build, reason: "cannot copy the built worker: \(error.localizedDescription)", span: nil)
            }

            let test = try await step(
                .test, runner: runner, command: settings.test, payload: ["command": .string(settings.test.command)],
                environment: ["AGENT_SKIP_PYTHON_TESTS": "1"], failOnExit: false)
            let report = TestReport(log: (try? String(contentsOfFile: test.outcome.log, encoding: .utf8)) ?? "")
            tests = report
            guard test.outcome.succeeded, report.failed == 0 else {
                try fail(
                    .test, reason: "\(report.failed) failed, \(report.passed) passed (\(test.outcome.failure))", span: test.span,
                    extra: ["tests": report.json])
            }
            try close(test.span, step: .test, outcome: test.outcome, extra: ["tests": report.json])
            progress("tests: \(report.passed) passed, \(report.skipped) skipped in \(test.outcome.duration.components.seconds) s")
        }

        let selfCheck = try await check(runner: runner)
        progress("self-check: \(selfCheck)")
        let rev: String
        do {
            rev = try FileDigest.sha256(ofFile: binary)
        } catch {
            try fail(.selfCheck, reason: "cannot hash the worker: \(error.localizedDescription)", span: nil)
        }
        let metadata = ArtifactMetadata(
            rev: rev, sourceCommit: sourceCommit, patchSHA256: patchSHA256, dependencies: dependencies,
            builtAt: Int64(Date().timeIntervalSince1970 * 1000), toolchain: toolchain, buildSeconds: buildSeconds, tests: tests,
            selfCheck: selfCheck, mode: source.mode, diffstat: diffstat, transactionEventID: transaction)
        let folder = try install(rev: rev, metadata: metadata)
        do {
            return try store.database.write { connection throws(EventsError) -> ArtifactRecord? in
                try stager.table.update(
                    id, status: .staged, rev: rev, patchSHA256: patchSHA256, path: folder, metadata: metadata.json, in: connection)
                try store.append(
                    NewEvent(
                        EventKind.updateArtifactStaged, parent: transaction,
                        payload: [
                            "artifact_id": .int(id), "rev": .string(rev), "path": .string(folder), "diffstat": JSONValue(diffstat),
                            "tests": metadata.json["tests"] ?? .null, "build_s": metadata.json["build_s"] ?? .null,
                            "self_check": .string(selfCheck),
                        ]),
                    in: connection)
                return try stager.table.find(id: id, in: connection)
            }.unsafelyUnwrapped
        } catch {
            throw PipelineError(error)
        }
    }

    private func progress(_ line: String) { stager.progress(line) }

    // MARK: Steps

    /// The source copy with the patch applied; a patch that does not apply is a failed build.
    private func prepareSource(_ tree: SourceTree) async throws(PipelineError) -> (patchSHA256: String?, diffstat: String) {
        let patchFile = "\(staging)/patch.diff"
        do throws(PipelineError) {
            switch source {
            case .workspace:
                try await PatchMaker(git: stager.git).write(
                    workspace: settings.paths.workspace, against: sourceCommit ?? "HEAD", to: patchFile)
            case .patch(let file):
                do {
                    try FileManager.default.copyItem(atPath: file, toPath: patchFile)
                } catch {
                    throw PipelineError(.notFound, "cannot read the patch \(file): \(error.localizedDescription)")
                }
            case .source(let folder):
                try await tree.copy(from: folder)
                return (nil, "the source folder \(folder) as it is")
            case .binary:
                return (nil, "")
            }
            let digest = try? FileDigest.sha256(ofFile: patchFile)
            let stat = try await tree.prepare(from: settings.paths.workspace, commit: sourceCommit ?? "HEAD", patch: patchFile)
            return (digest, stat)
        } catch  where error.code == .stepFailed || error.code == .failed {
            try fail(.build, reason: error.message, span: nil)
        }
    }

    /// Opens the step's span and runs its command; a failure of the command fails the stage when `failOnExit`.
    private func step(
        _ step: StageStep, runner: StepRunner, command: PipelineSettings.StepCommand, payload: JSONObject,
        environment: [String: String] = [:], failOnExit: Bool = true
    ) async throws(PipelineError) -> (span: Int64, outcome: StepRunner.Outcome) {
        let span = try record(
            NewEvent(step.startedKind, parent: transaction, payload: payload.merging(["artifact_id": .int(id)]) { a, _ in a }))
        let outcome = try await runner.run(
            command.command, in: "\(inside)/src", environment: environment, timeout: command.timeout, log: "\(staging)/\(step.logName)")
        if failOnExit, !outcome.succeeded {
            try fail(step, reason: "\(outcome.failure): \(Self.lastLines(of: outcome.log))", span: span)
        }
        return (span, outcome)
    }

    /// The self-check of the new binary, fenced, against a copy of the database. Returns its last line.
    private func check(runner: StepRunner) async throws(PipelineError) -> String {
        let span = try record(NewEvent(EventKind.updateSelfCheckStarted, parent: transaction, payload: ["artifact_id": .int(id)]))
        let check = "\(staging)/check"
        do {
            for folder in ["home", "workspace"] {
                try FileManager.default.createDirectory(atPath: "\(check)/\(folder)", withIntermediateDirectories: true)
            }
            try store.database.read { connection throws(EventsError) in
                try connection.execute("VACUUM INTO ?", [.text("\(check)/agent.db")])
            }
        } catch {
            try fail(.selfCheck, reason: "cannot copy the database for the self-check: \(error)", span: span)
        }
        var environment = settings.checkedSettings
        environment["AGENT_HOME"] = "\(inside)/check/home"
        environment["AGENT_DB"] = "\(inside)/check/agent.db"
        environment["AGENT_WORKSPACE"] = "\(inside)/check/workspace"
        let outcome = try await runner.run(
            "exec \(inside)/artifact/\(ArtifactStore.workerName) --self-check", in: "\(inside)/check", environment: environment,
            timeout: settings.selfCheckTimeout, log: "\(staging)/\(StageStep.selfCheck.logName)")
        let last = Self.lastLines(of: outcome.log, count: 1)
        guard outcome.succeeded else {
            try fail(.selfCheck, reason: "--self-check \(outcome.failure): \(last)", span: span)
        }
        try close(span, step: .selfCheck, outcome: outcome, extra: ["result": .string(last)])
        try? FileManager.default.removeItem(atPath: check)
        return last
    }

    /// Moves the artifact into `AGENT_HOME/artifacts/<rev>/` with its metadata and logs. The same binary staged
    /// again keeps its folder (never modified while it may run); only its metadata and logs are renewed.
    private func install(rev: String, metadata: ArtifactMetadata) throws(PipelineError) -> String {
        let manager = FileManager.default
        let prepared = "\(staging)/artifact"
        let store = ArtifactStore(home: settings.paths.home)
        let target = store.directory(of: rev)
        do {
            try manager.createDirectory(atPath: "\(prepared)/logs", withIntermediateDirectories: true)
            for step in StageStep.allCases where manager.fileExists(atPath: "\(staging)/\(step.logName)") {
                try manager.copyItem(atPath: "\(staging)/\(step.logName)", toPath: "\(prepared)/logs/\(step.logName)")
            }
            try Data(JSONValue.object(metadata.json).serialized.utf8).write(to: URL(fileURLWithPath: "\(prepared)/metadata.json"))
            try manager.createDirectory(atPath: store.artifactsDirectory, withIntermediateDirectories: true)
            if manager.fileExists(atPath: target) {
                try? manager.removeItem(atPath: "\(target)/logs")
                try manager.moveItem(atPath: "\(prepared)/logs", toPath: "\(target)/logs")
                try? manager.removeItem(atPath: "\(target)/metadata.json")
                try manager.moveItem(atPath: "\(prepared)/metadata.json", toPath: "\(target)/metadata.json")
            } else {
                try manager.moveItem(atPath: prepared, toPath: target)
            }
            try? manager.removeItem(atPath: staging)
        } catch {
            try fail(.selfCheck, reason: "cannot install the artifact in \(target): \(error.localizedDescription)", span: nil)
        }
        return target
    }

    // MARK: Records

    private func record(_ event: NewEvent) throws(PipelineError) -> Int64 {
        do {
            return try store.append(event)
        } catch {
            throw PipelineError(error)
        }
    }

    private func close(_ span: Int64, step: StageStep, outcome: StepRunner.Outcome, extra: JSONObject) throws(PipelineError) {
        _ = try record(
            NewEvent(
                step.completedKind, parent: span,
                payload: ["duration_ms": .int(outcome.duration.wholeMilliseconds), "log": .string(step.logName)].merging(extra) { a, _ in a
                }))
    }

    /// Records the failed step (its closing event, the row's status and reason), removes what could be deployed or
    /// weighs (the binary, the source copy), keeps the logs, and throws `.stepFailed`.
    func fail(_ step: StageStep, reason: String, span: Int64?, extra: JSONObject = [:]) throws(PipelineError) -> Never {
        let line = reason.replacingOccurrences(of: "\n", with: " ")
        let manager = FileManager.default
        for leftover in ["artifact", "src", "check", "home", "tmp"] { try? manager.removeItem(atPath: "\(staging)/\(leftover)") }
        do {
            try store.database.write { connection throws(EventsError) in
                var parent: Int64
                if let span {
                    parent = span
                } else {
                    parent = try store.append(
                        NewEvent(step.startedKind, parent: transaction, payload: ["artifact_id": .int(id)]), in: connection)
                }
                try store.append(
                    NewEvent(
                        step.failedKind, parent: parent, level: .error,
                        payload: ["artifact_id": .int(id), "reason": .string(line), "log": .string("\(staging)/\(step.logName)")].merging(
                            extra
                        ) {
                            a, _ in a
                        }),
                    in: connection)
                try stager.table.update(id, status: step.failureStatus, path: staging, reason: line, in: connection)
            }
        } catch {
            throw PipelineError(error)
        }
        throw PipelineError(.stepFailed, "\(step.rawValue) failed: \(line)")
    }

    /// The last non-empty lines of a log, joined: what a one-line reason shows.
    static func lastLines(of log: String, count: Int = 3) -> String {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return "no output" }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.suffix(count).joined(separator: " | ").prefix(600).description
    }

    /// The first line of `swift --version`, or `nil`.
    static func toolchain(searchPath: String) async -> String? {
        let result = try? await ProcessRunner.run(
            ProcessSpec(
                executable: "swift", arguments: ["--version"], environment: ["PATH": searchPath, "LANG": "C.UTF-8", "HOME": "/tmp"]),
            timeout: .seconds(30))
        return (result?.standardOutput ?? "").split(separator: "\n").first.map(String.init)
    }
}
