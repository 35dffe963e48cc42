import Foundation
import SpecFitCore

/// Turns what a user calls a model into a catalog id, and the quantisation when the name carries one.
///
/// Names come in many spellings of the same few facts — family, version, size, variant — and SpecFit accepts the
/// ones people copy from the tools they use:
/// - catalog ids and aliases: `llama-3.1-70b`, `llama3.1:70b`;
/// - Ollama tags, with or without a variant and quantisation: `qwen2.5-coder:1.5b-instruct-q4_K_M`,
///   `gemma3:27b-it-qat`, and Ollama's Hugging Face form `hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M`;
/// - Hugging Face repository ids, also of GGUF repositories: `Qwen/Qwen2.5-Coder-1.5B-Instruct`,
///   `bartowski/Qwen2.5-Coder-32B-Instruct-GGUF`;
/// - LM Studio model keys and display names: `lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF`,
///   `Qwen2.5 Coder 1.5B Instruct`;
/// - GGUF file names, also split files and TheBloke's dotted form: `Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf`,
///   `qwen2.5-coder-1.5b-instruct-q4_k_m`, `llama-2-7b-chat.Q4_K_M.gguf`, `x-00001-of-00003.gguf`.
///
/// Every name is reduced to a key — its words, lower-cased, without the organisation, the quantisation and the
/// words that do not change the weights' shapes (instruct, it, chat, base, GGUF …) — and matched against the keys
/// of each row's id, name, aliases and Hugging Face repository (an id or alias written exactly as in the catalog
/// comes first). A name that matches several rows is reported as
/// ambiguous with the candidates, never settled by picking one; a family without a size (`llama3.1`) matches the
/// rows that differ from it only by size.
public struct ModelNameResolver: Sendable {
    public struct Match: Equatable, Sendable {
        public var id: String
        /// The quantisation the name carried, when it is a llama.cpp file type SpecFit knows.
        public var quant: LlamaFileType?
        /// The quantisation as written (`Q4_K_M`, `UD-Q4_K_XL`, `fp16`), also when it is not a known file type.
        public var quantLabel: String?
    }

    public enum Resolution: Equatable, Sendable {
        case found(Match)
        case ambiguous([String])
        case notFound(suggestions: [String])
    }

    /// Each row: id, its other names, the keys of all its names and the words of those keys.
    let rows: [(id: String, names: [String], keys: Set<String>, words: Set<String>)]
    /// Lower-cased id → id.
    let ids: [String: String]
    /// Lower-cased name or alias, exactly as written → the ids that carry it.
    let literal: [String: Set<String>]

    /// - Parameter entries: every row's id and the other names it answers to (name, aliases, Hugging Face repository).
    public init(entries: [(id: String, names: [String])]) {
        rows = entries.map { e in
            let keys = Set(([e.id] + e.names).map { Self.parse($0).key }.filter { !$0.isEmpty })
            return (e.id, e.names, keys, Set(keys.flatMap { $0.split(separator: " ").map(String.init) }))
        }
        ids = Dictionary(entries.map { ($0.id.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        var literal: [String: Set<String>] = [:]
        for e in entries { for n in e.names where !n.isEmpty { literal[n.lowercased(), default: []].insert(e.id) } }
        self.literal = literal
    }

    public init(models: [ModelSpec]) {
        self.init(entries: models.map { ($0.id, [$0.name, $0.hfRepo] + $0.aliases) })
    }

    public func resolve(_ name: String) -> Resolution {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let exact = ids[trimmed.lowercased()] { return .found(Match(id: exact)) }
        // An alias exactly as the catalog writes it (`command-r:35b` is Ollama's tag of Command R 08-2024, while
        // the id `command-r-35b`, the v01 release, reduces to the same words).
        let parsed = Self.parse(trimmed)
        if let named = literal[trimmed.lowercased()] {
            guard named.count == 1, let id = named.first else { return .ambiguous(named.sorted()) }
            return .found(Match(id: id, quant: parsed.quant, quantLabel: parsed.quantLabel))
        }
        func found(_ ids: [String]) -> Resolution? {
            let unique = Array(Set(ids)).sorted()
            if unique.count == 1 { return .found(Match(id: unique[0], quant: parsed.quant, quantLabel: parsed.quantLabel)) }
            return unique.isEmpty ? nil : .ambiguous(unique)
        }
        if !parsed.key.isEmpty {
            if let r = found(rows.filter { $0.keys.contains(parsed.key) }.map(\.id)) { return r }
            // More words than any one name of the row, each of them said by another of its names
            // (`mistral-nemo:12b-instruct-2407` = `mistral-nemo:12b` + `Mistral-Nemo-Instruct-2407`).
            let words = Set(parsed.key.split(separator: " ").map(String.init))
            let covered = rows.filter { row in
                words.isSubset(of: row.words) && row.keys.contains { Set($0.split(separator: " ").map(String.init)).isSubset(of: words) }
            }
            if let r = found(covered.map(\.id)) { return r }
            // A family without a size (`llama3.1`, `qwen2.5-coder`): the rows that add only a size to it.
            let sized = rows.filter { row in
                row.keys.contains { key in
                    key.hasPrefix(parsed.key + " ") && Self.isSize(String(key.dropFirst(parsed.key.count + 1)))
                }
            }
            if let r = found(sized.map(\.id)) { return r }
        }
        let candidates = rows.map { (id: $0.id, aliases: $0.names) }
        if case .notFound(let s) = NameMatcher.resolve(trimmed, candidates: candidates) { return .notFound(suggestions: s) }
        return .notFound(suggestions: [])
    }

    // MARK: Keys

    /// What a name says: its key (words joined by spaces) and quantisation.
    struct Parsed: Equatable {
        var key: String
        var quant: LlamaFileType?
        var quantLabel: String?
    }

    /// Words that name a release variant or a packaging, not a different set of weights' shapes.
    static let noise: Set<String> = ["instruct", "it", "chat", "hf", "gguf", "meta", "text", "base", "pt", "latest", "qat", "model"]

    /// `1.5b`, `70b`, `270m`, `8x7b`-style size words.
    static func isSize(_ w: String) -> Bool {
        w.range(of: #"^\d+(\.\d+)?[bm]$|^\d+x\d+(\.\d+)?b$"#, options: .regularExpression) != nil
    }

    /// Quantisation at the end of a name: llama.cpp file types (Q4_K_M, IQ4_XS, F16, BF16 …), their spellings in
    /// Ollama tags (q4_K_M, fp16) and the variants GGUF publishers add (Q4_K_L, UD-Q4_K_XL, Q4_0_4_4).
    static let quantPattern = #"(^|[-_.\s])(ud-)?(i?q[1-8](_[a-z0-9]+)*|tq[12]_0|bf16|fp16|f16|fp32|f32|mxfp4(_moe)?)$"#

    static func parse(_ raw: String) -> Parsed {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Paths and Hugging Face ids: the last component (Ollama's hf.co/user/repo:quant keeps its tag).
        if let slash = s.lastIndex(of: "/") { s = String(s[s.index(after: slash)...]) }
        if s.lowercased().hasSuffix(".gguf") { s = String(s.dropLast(5)) }
        if let r = s.range(of: #"-\d{5}-of-\d{5}$"#, options: .regularExpression) { s.removeSubrange(r) }

        var base = s, tag: String? = nil
        if let colon = s.firstIndex(of: ":") {
            base = String(s[..<colon])
            tag = String(s[s.index(after: colon)...])
        }
        var quantLabel: String? = nil
        func stripQuant(_ t: inout String) {
            guard let r = t.range(of: quantPattern, options: [.regularExpression, .caseInsensitive]) else { return }
            var label = t[r]
            if let f = label.first, f == "-" || f == "_" || f == "." || f.isWhitespace { label = label.dropFirst() }
            quantLabel = String(label)
            t.removeSubrange(r)
        }
        if var t = tag {
            stripQuant(&t)
            tag = t
        } else {
            stripQuant(&base)
        }
        return Parsed(key: words(base + (tag.map { " " + $0 } ?? "")), quant: quantLabel.flatMap(quantType), quantLabel: quantLabel)
    }

    /// A name less the quantisation at its end (`qwen2.5-coder-1.5b-instruct-q4_k_m` → `qwen2.5-coder-1.5b-instruct`).
    public static func removingQuantisation(_ name: String) -> String {
        guard let r = name.range(of: quantPattern, options: [.regularExpression, .caseInsensitive]) else { return name }
        return String(name[..<r.lowerBound])
    }

    /// A quantisation label as a llama.cpp file type: `q4_K_M` → Q4_K_M, `fp16` → F16; nil for labels SpecFit has no
    /// recipe for (UD-Q4_K_XL, Q4_K_L …).
    static func quantType(_ label: String) -> LlamaFileType? {
        switch label.lowercased() {
        case "fp16": return .f16
        case "fp32": return .f32
        case "mxfp4": return .mxfp4_MOE
        default: return LlamaFileType(name: label)
        }
    }

    /// Lower-cased words split at every character that is not a letter, digit or dot, and where a word that began
    /// with a letter runs into digits (`llama3.1` → `llama 3.1`, `qwen2.5` → `qwen 2.5`, but `8x7b` stays whole),
    /// less the noise words.
    static func words(_ s: String) -> String {
        var out: [String] = []
        var cur = ""
        func flush() {
            let w = cur.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if !w.isEmpty && !noise.contains(w) { out.append(w) }
            cur = ""
        }
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "." {
                if ch.isNumber, let last = cur.last, last.isLetter, cur.first?.isLetter == true { flush() }
                cur.append(ch)
            } else {
                flush()
            }
        }
        flush()
        return out.joined(separator: " ")
    }
}

/// Turns what a user calls a GPU into a catalog id. An exact id wins; otherwise the names and aliases decide, and
/// a name several rows share — the laptop cards that come under two PCI ids, say — is ambiguous and lists them.
public struct GPUNameResolver: Sendable {
    /// Each card: id, name and aliases, and the normalised forms of its names (NameMatcher.normalize) and id.
    let cards: [(id: String, name: String, aliases: [String], keys: Set<String>, normalizedID: String)]
    /// Lower-cased id → id.
    let ids: [String: String]

    public init(cards: [GPUSpec]) {
        self.init(entries: cards.map { ($0.id, $0.name, $0.aliases) })
    }

    public init(entries: [(id: String, name: String, aliases: [String])]) {
        cards = entries.map { e in
            (e.id, e.name, e.aliases, Set(([e.name] + e.aliases).map(NameMatcher.normalize)), NameMatcher.normalize(e.id))
        }
        ids = Dictionary(entries.map { ($0.id.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
    }

    public func resolve(_ name: String) -> NameMatcher.Resolution {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let exact = ids[trimmed.lowercased()] { return .found(exact) }
        let n = NameMatcher.normalize(trimmed)
        let byName = Set(cards.filter { $0.keys.contains(n) }.map(\.id))
        if byName.count == 1, let id = byName.first { return .found(id) }
        if byName.count > 1 { return .ambiguous(byName.sorted()) }
        if let c = cards.first(where: { $0.normalizedID == n }) { return .found(c.id) }
        let candidates = cards.map { (id: $0.id, aliases: [$0.name] + $0.aliases) }
        if case .notFound(let s) = NameMatcher.resolve(trimmed, candidates: candidates) { return .notFound(suggestions: s) }
        return .notFound(suggestions: [])
    }
}
