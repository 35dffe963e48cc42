import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files of one machine seen through a root directory: `/` for this host, or a recorded tree
/// (`data/fixtures/machines/<name>/`) whose `proc/`, `sys/` and `usr/` mirror a real host's.
///
/// Every path the probe reads goes through here, so a test replays a recorded machine by pointing
/// the root elsewhere; production passes `/`. Reads never throw: a missing or unreadable file is
/// `nil`, and the caller turns that into an `unknowns` sentence.
struct SystemRoot: Sendable {
    /// Absolute or relative root directory, without a trailing slash unless it is `/`.
    let path: String

    init(_ path: String) {
        var trimmed = path.isEmpty ? "/" : path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
    }

    /// True when this is the running host's own file system.
    var isHost: Bool { path == "/" }

    /// The host path of `relative` ("proc/cpuinfo", or "/proc/cpuinfo") under this root.
    func resolve(_ relative: String) -> String {
        let tail = relative.hasPrefix("/") ? String(relative.dropFirst()) : relative
        return isHost ? "/" + tail : path + "/" + tail
    }

    /// How a path under this root is named in messages: the machine's own path, plus the root when
    /// it is a recorded tree ("/proc/cpuinfo under data/fixtures/machines/x").
    func describe(_ relative: String) -> String {
        let absolute = relative.hasPrefix("/") ? relative : "/" + relative
        return isHost ? absolute : "\(absolute) under \(path)"
    }

    /// Whole file as UTF-8 text, or nil when it is missing or unreadable.
    ///
    /// Reads with read(2) until end of file: /proc and /sys files report size 0 (or 4096) in stat,
    /// so nothing here trusts the size.
    func readText(_ relative: String) -> String? {
        let fd = open(resolve(relative), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// First line of a file with surrounding white space removed, or nil.
    func readLine(_ relative: String) -> String? {
        guard let text = readText(relative) else { return nil }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return line.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A file holding one decimal integer (sysfs style), or nil when missing or not a number.
    func readInt64(_ relative: String) -> Int64? {
        guard let line = readLine(relative) else { return nil }
        return Int64(line)
    }

    func isDirectory(_ relative: String) -> Bool {
        var status = stat()
        guard stat(resolve(relative), &status) == 0 else { return false }
        return (status.st_mode & S_IFMT) == S_IFDIR
    }

    func exists(_ relative: String) -> Bool {
        var status = stat()
        return stat(resolve(relative), &status) == 0
    }

    /// Names in a directory, sorted; empty when it is missing or unreadable.
    func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: resolve(relative))) ?? []).sorted()
    }

    /// A sysfs file holding a positive byte count, or nil when missing, unparseable or 0 — a driver that
    /// publishes 0 for a size it does not know must never turn into "0 bytes of VRAM".
    func readPositiveInt64(_ relative: String) -> Int64? {
        guard let value = readInt64(relative), value > 0 else { return nil }
        return value
    }
}
