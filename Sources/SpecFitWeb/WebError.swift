import Foundation

/// Why a request gets no answer, as an HTTP status and one line a person can act on.
///
/// Pages show it above their form; the API answers `{"error": message, "status": code, "candidates": [...]}`.
/// `candidates` holds the catalog ids a misspelt or ambiguous name may have meant.
public struct WebError: LocalizedError, Sendable, Equatable {
    /// HTTP status: 400 malformed query, 403 refused, 404 unknown name or path, 405 wrong method, 422 a value
    /// the engine cannot use, 500 the server's own fault.
    public var status: Int
    public var message: String
    public var candidates: [String]
    /// The input value the error is about (an unknown name), so a page can offer the candidates in its place.
    public var value: String?

    public init(status: Int, message: String, candidates: [String] = [], value: String? = nil) {
        self.status = status
        self.message = message
        self.candidates = candidates
        self.value = value
    }

    public var errorDescription: String? { message }

    /// A query that cannot be read: a missing or repeated parameter, not a number, too long, an unknown key.
    public static func badRequest(_ message: String) -> WebError { WebError(status: 400, message: message) }
    /// A name that is not in the catalog (with the ids it may have meant).
    public static func notFound(_ message: String, candidates: [String] = [], value: String? = nil) -> WebError {
        WebError(status: 404, message: message, candidates: candidates, value: value)
    }
    /// A well-formed value the engine cannot use: out of range, not one of the choices, ambiguous.
    public static func unprocessable(_ message: String, candidates: [String] = [], value: String? = nil) -> WebError {
        WebError(status: 422, message: message, candidates: candidates, value: value)
    }
}

/// The JSON body of every API error.
struct ErrorBody: Encodable {
    let error: String
    let status: Int
    let candidates: [String]?
}
