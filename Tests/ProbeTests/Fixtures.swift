import Foundation

/// Paths of the recorded machines under `data/fixtures/machines/`, found from this file's location
/// so the tests run from any working directory.
enum Fixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ProbeTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func machine(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("data/fixtures/machines/\(name)").path
    }

    /// A fresh empty directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("specfit-probe-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `relative` under `root`, creating directories.
    static func write(_ text: String, to relative: String, under root: URL) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Binary units written out, so expected values read like the sources that state them.
let kibibyte: Int64 = 1024
let mebibyte: Int64 = 1_048_576
