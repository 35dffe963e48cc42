import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// How `specfit serve` listens, and what it allows.
public struct ServeOptions: Sendable, Equatable {
    public var host: String
    /// 0 lets the system pick a free port (printed once listening).
    public var port: Int
    /// Listen on an address other hosts can reach, and accept any Host header.
    public var allowRemote: Bool
    /// Let endpoints change the catalog. No endpoint writes today: without this flag every POST, PUT, PATCH and
    /// DELETE is refused with 403, with it they get 405. Other methods than GET and HEAD always get 405.
    public var allowWrite: Bool

    public init(host: String = "127.0.0.1", port: Int = 8080, allowRemote: Bool = false, allowWrite: Bool = false) {
        self.host = host; self.port = port; self.allowRemote = allowRemote; self.allowWrite = allowWrite
    }

    /// Refuses a port outside 0…65535 and a host other machines can reach unless `allowRemote`.
    public func validate() throws(WebError) {
        guard (0...65535).contains(port) else { throw .badRequest("--port \(port): give 0…65535 (0 picks a free port)") }
        guard !host.isEmpty, host.count <= 253 else { throw .badRequest("--host: give a loopback address such as 127.0.0.1") }
        if !allowRemote && !Loopback.isLoopback(host) {
            throw WebError(status: 403, message: "--host \(host) is reachable from other machines; serve on 127.0.0.1 (the default), or add --allow-remote if you mean it")
        }
    }
}

/// What counts as this machine only.
public enum Loopback {
    /// `localhost`, `127.0.0.0/8` and `::1` (also bracketed).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }),
              let first = Int(parts[0]), parts.compactMap({ Int($0) }).allSatisfy({ $0 <= 255 }) else { return false }
        return first == 127
    }

    /// The host part of a Host header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`) is a loopback name.
    /// A page reached through another name (DNS rebinding) is refused while the server serves loopback only.
    public static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = authority
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<end])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return isLoopback(host)
    }
}

/// The HTTP server: Hummingbird serving ``WebApp``'s routes.
public struct WebServer: Sendable {
    public let app: WebApp

    public init(backend: any SpecFitBackend, options: ServeOptions) {
        app = WebApp(backend: backend, options: options)
    }

    /// Serves until SIGINT or SIGTERM. `onListening` receives the bound port (the one picked when the port is 0).
    public func run(logLevel: Logger.Level = .warning, onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "specfit-serve")
        logger.logLevel = logLevel
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: GuardMiddleware(app: app))
        let app = self.app
        for route in WebRoutes.all {
            router.get(RouterPath(route.path)) { request, _ -> Response in
                app.respond(route, query: request.uri.query).response
            }
        }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(app.options.host, port: app.options.port), serverName: "specfit"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? app.options.port) },
            logger: logger)
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Before any route: refuse writes without `--allow-write`, refuse foreign Host headers while serving loopback,
/// turn the router's own errors (404, 405) into the pages' and the API's error format, and add the security headers.
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let app: WebApp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if request.method != .get && request.method != .head {
            let writes: [HTTPRequest.Method] = [.post, .put, .patch, .delete]
            let e = writes.contains(request.method) && !app.options.allowWrite
                ? WebError(status: 403, message: "\(request.method) \(path): this server is read-only; start it with --allow-write to let endpoints change the catalog")
                : WebError(status: 405, message: "\(request.method) \(path): no endpoint answers this method; use GET")
            var response = app.error(e, path: path).response
            if e.status == 405 { response.headers[.allow] = "GET, HEAD" }
            return response
        }
        if !app.options.allowRemote, let authority = request.head.authority, !Loopback.isLoopbackAuthority(authority) {
            return app.error(WebError(status: 403, message: "Host \(authority) is not a loopback name; open http://127.0.0.1 or start the server with --allow-remote"),
                             path: path).response
        }
        do {
            return try await next(request, context)
        } catch let e as HTTPError {
            let message = e.status == .notFound
                ? "no page or endpoint at \(path); pages: \(WebRoutes.pages.map(\.path).joined(separator: " ")); API: /api/…"
                : "\(e.status.code) \(e.status.reasonPhrase) for \(path)"
            return app.error(WebError(status: e.status.code, message: message), path: path).response
        }
    }
}

extension WebResponse {
    var response: Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.cacheControl] = "no-store"
        fields[.init("X-Content-Type-Options")!] = "nosniff"
        fields[.init("Referrer-Policy")!] = "no-referrer"
        fields[.init("X-Frame-Options")!] = "DENY"
        // Offline by construction: nothing but this server's own inline styles and images; no script at all.
        fields[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        if let filename = downloadName {
            fields[.contentDisposition] = "attachment; filename=\"\(filename)\""
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
