import Foundation

/// A request's query string, decoded and checked before anything reaches the engine.
///
/// Decoding follows HTML forms sent with GET (`application/x-www-form-urlencoded`): `+` is a space and
/// `%XX` escapes are UTF-8. Empty values (an untouched form field) count as absent. Every accessor checks
/// what it reads — lengths, numbers and their ranges, names — and throws a ``WebError`` whose message
/// names the parameter and says what to give instead.
public struct Query: Sendable {
    /// The longest query string read, in bytes (a page with every field filled stays well under it).
    public static let maxQueryBytes = 4096
    /// The longest value of one parameter, in characters: model and GPU names are far shorter.
    public static let maxValueLength = 200
    /// The most values a repeatable parameter (`gpu`, `target`, `draft`, `vendor`) takes.
    public static let maxRepeats = 8

    /// Decoded pairs in query order, empty values dropped.
    public let pairs: [(key: String, value: String)]
    /// Decoded pairs in query order with empty values kept (a form row left blank still marks a row).
    public let rawPairs: [(key: String, value: String)]

    /// - Throws: ``WebError/badRequest(_:)`` for an over-long query, a bad `%` escape or an over-long value.
    public init(_ query: String?) throws(WebError) {
        guard let query, !query.isEmpty else { pairs = []; rawPairs = []; return }
        guard query.utf8.count <= Self.maxQueryBytes else {
            throw .badRequest("the query string has \(query.utf8.count) bytes; at most \(Self.maxQueryBytes) are read")
        }
        var out: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.decode(kv[0], what: "a parameter name")
            let value = kv.count > 1 ? try Self.decode(kv[1], what: "the value of '\(key)'") : ""
            guard key.count <= 40 else { throw .badRequest("a parameter name of \(key.count) characters is not one this server takes") }
            guard value.count <= Self.maxValueLength else {
                throw .badRequest("\(key): \(value.count) characters; give at most \(Self.maxValueLength)")
            }
            if let bad = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                throw .badRequest("\(key): contains the control character U+\(String(format: "%04X", bad.value)); give printable text")
            }
            out.append((key, value.trimmingCharacters(in: .whitespaces)))
        }
        rawPairs = out
        pairs = out.filter { !$0.1.isEmpty }
    }

    static func decode(_ s: Substring, what: String) throws(WebError) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        guard let decoded = plus.removingPercentEncoding else {
            throw .badRequest("\(what) has a malformed %-escape; encode the query as a browser does")
        }
        return decoded
    }

    /// Refuses keys outside `allowed`, so a misspelt parameter is an error rather than silently ignored.
    public func check(allowed: [String]) throws(WebError) {
        if let unknown = pairs.first(where: { !allowed.contains($0.key) }) {
            throw .badRequest("unknown parameter '\(unknown.key)'; " + (allowed.isEmpty ? "this address takes none" : "this address takes \(allowed.joined(separator: ", "))"))
        }
    }

    /// Whether any of these keys has a value.
    public func has(_ keys: String...) -> Bool { pairs.contains { keys.contains($0.key) } }

    /// Every value of a repeatable key, at most ``maxRepeats``.
    public func all(_ key: String) throws(WebError) -> [String] {
        let v = pairs.filter { $0.key == key }.map(\.value)
        guard v.count <= Self.maxRepeats else { throw .badRequest("\(key): given \(v.count) times; at most \(Self.maxRepeats)") }
        return v
    }

    /// The value of a key that may appear once.
    public func string(_ key: String) throws(WebError) -> String? {
        let v = pairs.filter { $0.key == key }
        guard v.count <= 1 else { throw .badRequest("\(key): given \(v.count) times; give it once") }
        return v.first?.value
    }

    /// A catalog name (model, GPU, table row): printable, not a flag, not a file path.
    public func name(_ key: String) throws(WebError) -> String? {
        guard let v = try string(key) else { return nil }
        try Self.checkName(v, key: key)
        return v
    }

    /// Every value of a repeatable name key, each checked like ``name(_:)``.
    public func names(_ key: String) throws(WebError) -> [String] {
        let v = try all(key)
        for n in v { try Self.checkName(n, key: key) }
        return v
    }

    /// A name is handed to the same argument parser as the command line, so it must not look like a flag;
    /// and the server answers from its catalog only, so it must not name a file.
    static func checkName(_ v: String, key: String) throws(WebError) {
        if v.hasPrefix("-") { throw .badRequest("\(key): '\(v)' starts with '-'; give a catalog name") }
        let lower = v.lowercased()
        if lower.hasSuffix(".gguf") || v.hasPrefix("/") || v.hasPrefix("~") || v.hasPrefix(".") || v.contains("..") || v.contains("\\") {
            throw .unprocessable("\(key): '\(v)' looks like a file path; the server answers for catalog names only (run `specfit fit FILE.gguf` for a file)")
        }
    }

    /// One of a fixed set of words (case-insensitive), returned as spelt in `choices`.
    public func choice(_ key: String, _ choices: [String]) throws(WebError) -> String? {
        guard let v = try string(key) else { return nil }
        guard let c = choices.first(where: { $0.lowercased() == v.lowercased() }) else {
            throw .unprocessable("\(key): '\(v)' is not one of \(choices.joined(separator: ", "))")
        }
        return c
    }

    /// A whole number within `range`.
    public func int(_ key: String, _ range: ClosedRange<Int>) throws(WebError) -> Int? {
        guard let v = try string(key) else { return nil }
        guard let n = Int(v) else { throw .badRequest("\(key): '\(v)' is not a whole number; give \(range.lowerBound)…\(range.upperBound)") }
        guard range.contains(n) else { throw .unprocessable("\(key): \(n) is out of range; give \(range.lowerBound)…\(range.upperBound)") }
        return n
    }

    /// A finite decimal number within `range`; `open` excludes the lower bound (a price or a duration that must be positive).
    public func double(_ key: String, _ range: ClosedRange<Double>, openBelow: Bool = false) throws(WebError) -> Double? {
        guard let v = try string(key) else { return nil }
        guard let x = Double(v), x.isFinite else { throw .badRequest("\(key): '\(v)' is not a number") }
        guard range.contains(x), !(openBelow && x == range.lowerBound) else {
            throw .unprocessable("\(key): \(v) is out of range; give \(openBelow ? "more than" : "from") \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
        }
        return x
    }

    /// A checkbox: present and on/true/1/yes, or absent/off/false/0/no.
    public func bool(_ key: String) throws(WebError) -> Bool {
        guard let v = try string(key)?.lowercased() else { return false }
        switch v {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: throw .badRequest("\(key): '\(v)' is not on or off")
        }
    }

    /// A number as the command line and a permalink write it: `8` rather than `8.0`.
    public static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}

/// Builds a query string for a permalink: the same encoding a browser uses for a GET form.
struct QueryBuilder {
    private(set) var items: [(String, String)] = []

    mutating func add(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { items.append((key, value)) }
    }

    mutating func add(_ key: String, _ values: [String]) {
        for v in values { add(key, v) }
    }

    var string: String {
        items.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ s: String) -> String {
        // RFC 3986 unreserved characters (and ':', common in Ollama tags) stay as they are.
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:")
        let escaped = s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
        return escaped.replacingOccurrences(of: "%20", with: "+")
    }
}
