import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `specfit serve` process on a free loopback port (the system picks it: `--port 0`), answering for the
/// recorded 64 GiB host, with its own catalog database. Requests go over a plain socket so a test controls
/// every byte (method, Host header, a malformed escape) that a URL library would refuse to send.
final class LiveServer: Sendable {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let machineFile = repoRoot.appendingPathComponent("data/fixtures/machines/host-64gib.json").path
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("specfit").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("specfit")
    }()

    let process: Process
    let port: Int
    let db: String
    let firstLine: String

    /// The server the current test suite runs against (set by ``LiveServerTrait``).
    @TaskLocal static var current: LiveServer?

    struct StartError: Error, CustomStringConvertible { let description: String }

    /// Starts `specfit serve --port 0 --machine host-64gib.json EXTRA…` and waits for its "listening on" line.
    init(extra: [String] = []) throws {
        db = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-web-\(UUID().uuidString)/catalog.sqlite").path
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["serve", "--port", "0", "--machine", Self.machineFile] + extra
        p.currentDirectoryURL = Self.repoRoot
        var env = ProcessInfo.processInfo.environment
        env["SPECFIT_DB"] = db
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        // Read the first line ("specfit serve: listening on http://127.0.0.1:PORT/ …") within 60 s.
        let handle = out.fileHandleForReading
        var line = Data()
        let deadline = Date().addingTimeInterval(60)
        while !line.contains(UInt8(ascii: "\n")) && Date() < deadline && p.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        firstLine = String(decoding: line, as: UTF8.self)
        guard let range = firstLine.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression),
              let port = Int(firstLine[range].dropFirst("http://127.0.0.1:".count).dropLast()) else {
            p.terminate()
            throw StartError(description: "specfit serve did not print its address; got '\(firstLine)'")
        }
        self.port = port
    }

    func stop() {
        if process.isRunning {
            process.interrupt() // SIGINT: the server shuts down gracefully
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate() }
        }
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: db).deletingLastPathComponent().path)
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String

        func header(_ name: String) -> String? { headers[name.lowercased()] }

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// One HTTP/1.1 request on a fresh connection (`Connection: close`).
    func request(_ method: String = "GET", _ target: String, host: String? = nil, body: String = "") throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw StartError(description: "connect to port \(port) failed") }
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw StartError(description: "send failed") }
            sent += n
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return try Self.parse(response, method: method)
    }

    func get(_ target: String) throws -> Answer { try request("GET", target) }

    static func parse(_ raw: [UInt8], method: String) throws -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = (0..<max(0, raw.count - 3)).first(where: { Array(raw[$0..<$0 + 4]) == separator }) else {
            throw StartError(description: "no HTTP header in \(raw.count) bytes")
        }
        let head = String(decoding: raw[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(split + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out = [UInt8](), i = 0
            while i < body.count {
                guard let lineEnd = (i..<body.count - 1).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                      let size = Int(String(decoding: body[i..<lineEnd], as: UTF8.self), radix: 16), size > 0 else { break }
                out += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
                i = lineEnd + 2 + size + 2
            }
            body = out
        }
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// Runs the `specfit` command line with the server's catalog database.
    func cli(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        try Self.run(args, db: db)
    }

    static func run(_ args: [String], db: String) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = repoRoot
        var env = ProcessInfo.processInfo.environment
        env["SPECFIT_DB"] = db
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// Starts one server for a whole suite and stops it afterwards.
struct LiveServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try LiveServer()
        defer { server.stop() }
        try await LiveServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == LiveServerTrait {
    /// The suite runs against one `specfit serve` process.
    static var liveServer: Self { LiveServerTrait() }
}

/// The suite's server; fails the test when the trait is missing.
func server() throws -> LiveServer {
    try #require(LiveServer.current, "the suite needs the .liveServer trait")
}
