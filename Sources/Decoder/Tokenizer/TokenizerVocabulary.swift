import GGUF

/// A token's attributes (llama.cpp `enum llama_token_attr`, `include/llama.h`); the GGUF's
/// `tokenizer.ggml.token_type` sets one, llama.cpp's load-time rules add more.
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt16
    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)
    /// When split out of text, whitespace just before the token is dropped.
    static let lstrip = TokenAttributes(rawValue: 1 << 7)
    /// When split out of text, whitespace just after the token is dropped.
    static let rstrip = TokenAttributes(rawValue: 1 << 8)

    /// From a `tokenizer.ggml.token_type` value (`enum llama_token_type`: 0 undefined, 1 normal, 2 unknown,
    /// 3 control, 4 user-defined, 5 unused, 6 byte); anything else is undefined (no attribute), as in
    /// llama.cpp `llama_vocab::impl::load`.
    init(tokenType: Int) {
        switch tokenType {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = []
        }
    }

    init(rawValue: UInt16) { self.rawValue = rawValue }
}

/// The token list: each token's text, score and attributes, and a text → id index.
struct TokenizerVocabulary: Sendable {
    /// Every token's text, back to back; token i is `textBytes[textStarts[i]..<textStarts[i + 1]]`.
    let textBytes: [UInt8]
    /// (count + 1)
    let textStarts: [Int]
    /// (count) `tokenizer.ggml.scores`, 0 where the file has none.
    let scores: [Float]
    /// (count)
    var attributes: [TokenAttributes]
    /// Token text → id; for a text listed twice the later id, as llama.cpp's `token_to_id`.
    let ids: ByteStringTable

    var count: Int { scores.count }

    /// Reads `tokenizer.ggml.tokens`, `.scores` and `.token_type`.
    init(gguf: GGUFModel) throws(TokenizerError) {
        let path = gguf.path
        let tokens: [String]
        do { tokens = try gguf.stringArray("tokenizer.ggml.tokens") } catch {
            if gguf.metadata["tokenizer.ggml.tokens"] == nil { throw .missingKey(path: path, key: "tokenizer.ggml.tokens") }
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let n = tokens.count
        guard n > 0, n < Int(Int32.max) else {
            throw .badMetadata(path: path, key: "tokenizer.ggml.tokens", problem: "holds \(n) tokens")
        }

        var scores = [Float](repeating: 0, count: n)
        if gguf.metadata["tokenizer.ggml.scores"] != nil {
            let values = try Self.numbers(gguf, "tokenizer.ggml.scores", atLeast: n)
            for i in 0..<n { scores[i] = Float(values[i]) }
        }
        var attributes = [TokenAttributes](repeating: .normal, count: n)
        if gguf.metadata["tokenizer.ggml.token_type"] != nil {
            let values = try Self.numbers(gguf, "tokenizer.ggml.token_type", atLeast: n)
            for i in 0..<n { attributes[i] = TokenAttributes(tokenType: Int(values[i])) }
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(n * 8)
        var starts: [Int] = [0]
        starts.reserveCapacity(n + 1)
        var ids = ByteStringTable(expectedCount: n)
        for (i, token) in tokens.enumerated() {
            // llama.cpp renames an empty token so that it cannot match anything.
            let text = token.isEmpty ? Array("[EMPTY_\(i)]".utf8) : Array(token.utf8)
            bytes += text
            starts.append(bytes.count)
            ids.insert(text, Int32(i))
        }
        self.textBytes = bytes
        self.textStarts = starts
        self.scores = scores
        self.attributes = attributes
        self.ids = ids
    }

    /// A numeric array key's values, at least `atLeast` of them.
    private static func numbers(_ gguf: GGUFModel, _ key: String, atLeast n: Int) throws(TokenizerError) -> [Double] {
        let values: [GGUFValue]
        do { values = try gguf.array(key) } catch {
            throw .badMetadata(path: gguf.path, key: key, problem: "is not an array (\(error.localizedDescription))")
        }
        guard values.count >= n else {
            throw .badMetadata(path: gguf.path, key: key, problem: "has \(values.count) entries for \(n) tokens")
        }
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard let d = v.doubleValue else {
                throw .badMetadata(path: gguf.path, key: key, problem: "holds \(v.typeDescription) values, not numbers")
            }
            out.append(d)
        }
        return out
    }

    /// The bytes of token `id`'s text.
    @inline(__always)
    func text(_ id: Int32) -> ArraySlice<UInt8> {
        textBytes[textStarts[Int(id)]..<textStarts[Int(id) + 1]]
    }

    func textString(_ id: Int32) -> String { String(decoding: text(id), as: UTF8.self) }

    /// The id of the token whose text is exactly `s`.
    func id(of s: String) -> Int32? { ids.lookup(Array(s.utf8)) }

    @inline(__always)
    func id(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? { ids.lookup(p, n) }
}
