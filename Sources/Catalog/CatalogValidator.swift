import Foundation
import SpecFitCore

/// One catalog row as read from a CSV file or from the database, with where it came from.
public struct CatalogRecord: Sendable, Equatable {
    public var table: String
    /// Where a person finds the row: `catalog/models.csv`, an imported file, or the database for user rows.
    public var file: String
    /// 1-based line of the row in `file`; nil for rows read from the database.
    public var line: Int?
    /// `bundled`, `user`, or `import` for rows about to be imported.
    public var origin: String
    public var fields: [String: String]

    public init(table: String, file: String, line: Int?, origin: String, fields: [String: String]) {
        self.table = table; self.file = file; self.line = line; self.origin = origin; self.fields = fields
    }

    public var id: String { fields["id"] ?? "" }
    public subscript(_ column: String) -> String { fields[column] ?? "" }
    /// The column as an integer; nil when empty or not one (the schema rule reports the latter).
    func int(_ c: String) -> Int? { Int(self[c]) ?? Double(self[c]).flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil } }
    func double(_ c: String) -> Double? { Double(self[c]).flatMap { $0.isFinite ? $0 : nil } }
    func bool(_ c: String) -> Bool? {
        switch self[c].lowercased() { case "1", "true": true; case "0", "false": false; default: nil }
    }
    func list(_ c: String) -> [String] { CatalogStore.list(self[c]) }
    /// `file:line` or `file`.
    public var location: String { line.map { "\(file):\($0)" } ?? file }
}

/// A problem ``CatalogValidator`` found in one row.
public struct CatalogProblem: Codable, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var table: String
    public var id: String
    /// The rule's name (see ``CatalogValidator/rules``).
    public var rule: String
    public var message: String
    /// The row's origin: `bundled`, `user`, or `import` for a row being imported.
    public var origin: String

    init(_ r: CatalogRecord, _ rule: String, _ message: String) {
        file = r.file; line = r.line; table = r.table; id = r.id; self.rule = rule; self.message = message; origin = r.origin
    }

    /// `file:line id: rule: message`.
    public var description: String {
        "\(line.map { "\(file):\($0)" } ?? file) \(id.isEmpty ? "-" : id): \(rule): \(message)"
    }
}

/// The rows to check, table by table, each with the file it came from and that file's header.
public struct CatalogSnapshot: Sendable {
    public struct TableFile: Sendable {
        public var table: String
        public var file: String
        /// The CSV header; nil for rows read from the database (their columns are the schema's).
        public var header: [String]?
        public var records: [CatalogRecord]
    }

    public var files: [TableFile]

    public init(files: [TableFile]) { self.files = files }

    /// Every row of a table, in order: bundled rows first, then user rows, then rows being imported.
    public func records(_ table: String) -> [CatalogRecord] { files.filter { $0.table == table }.flatMap(\.records) }

    public var rowCount: Int { files.reduce(0) { $0 + $1.records.count } }

    /// Parses one table's CSV text.
    /// - Throws: ``CatalogError/badRow(table:line:reason:)`` when the text is not a CSV table.
    public static func parse(table: String, file: String, text: String, origin: String) throws -> TableFile {
        let t = try CSVTable(name: file, text: text)
        return TableFile(table: table, file: file, header: t.header,
                         records: t.records.map { CatalogRecord(table: table, file: file, line: $0.line, origin: origin, fields: $0.fields) })
    }

    /// The catalog a binary carries, as `catalog/NAME.csv` files.
    public static func bundled(_ b: BundledTables = .current) throws -> CatalogSnapshot {
        CatalogSnapshot(files: try b.tables.map { try parse(table: $0.name, file: "catalog/\($0.name).csv", text: $0.csv, origin: "bundled") })
    }

    /// The CSV files of a catalog folder (a checkout's `catalog/`), for checking edits before they are bundled.
    public static func folder(_ dir: String) throws -> CatalogSnapshot {
        var files: [TableFile] = []
        for t in Schema.tables {
            let path = (dir as NSString).appendingPathComponent("\(t).csv")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CatalogError.unreadableFile(path: path, reason: "it does not exist or cannot be read")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CatalogError.unreadableFile(path: path, reason: "it is not UTF-8 text")
            }
            files.append(try parse(table: t, file: path, text: text, origin: "bundled"))
        }
        return CatalogSnapshot(files: files)
    }
}

/// `specfit catalog validate`: schema and sanity rules over catalog rows, each a pure function of the rows, so that
/// every rule is tested on constructed rows and the same rules guard `catalog import` and CI.
public enum CatalogValidator {
    /// A rule: its name as printed, the table it reads (nil: every table) and what it asserts.
    public struct Rule: Sendable, Codable {
        public var name: String
        public var table: String?
        public var summary: String
    }

    /// Every rule, as `catalog validate --rules` lists them.
    public static let rules: [Rule] = [
        Rule(name: "columns", table: nil, summary: "the CSV header names exactly the table's columns"),
        Rule(name: "type", table: nil, summary: "integers, numbers and 0/1 flags read as such"),
        Rule(name: "required", table: nil, summary: "columns the schema declares NOT NULL are not empty"),
        Rule(name: "source", table: nil, summary: "every row cites where its facts come from"),
        Rule(name: "unique-id", table: nil, summary: "no id is used by two rows of a table"),
        Rule(name: "id-format", table: "models, gpus", summary: "ids are lower-case letters, digits and . _ + -"),
        Rule(name: "model-shape", table: "models", summary: "layers, widths, heads, vocabulary and context are positive; active ≤ total parameters"),
        Rule(name: "kv-heads", table: "models", summary: "n_head_kv divides n_head (grouped-query attention)"),
        Rule(name: "head-dim", table: "models", summary: "n_head × head_dim = n_embd where the architecture derives head_dim from n_embd; MLA rows by their own rule"),
        Rule(name: "mla", table: "models", summary: "MLA rows: head_dim_k = kv_lora_rank + rope_head_dim, head_dim_v = kv_lora_rank, one KV head"),
        Rule(name: "sliding-window", table: "models", summary: "a window comes with a period ≥ 2 and vice versa, shorter than the training context, with the architecture's known period"),
        Rule(name: "moe", table: "models", summary: "experts used ≤ experts, expert width set, active < total parameters; dense rows have none"),
        Rule(name: "alias", table: "models, gpus", summary: "every alias resolves to its own row (GPU rows of one product may share one)"),
        Rule(name: "reference", table: nil, summary: "tokenizer, model and GPU ids named by a row exist"),
        Rule(name: "enum", table: nil, summary: "variant, backend, relation, metric, task, kind, vocab type are known values"),
        Rule(name: "pci-id", table: "gpus", summary: "PCI ids are 4 hex digits, revisions 2, subsystem ids come in pairs, the vendor id fits the vendor"),
        Rule(name: "pci-shared", table: "gpus", summary: "rows claiming one PCI id say in tie_break how they are told apart, and revision, subsystem or VRAM does tell them apart (or tie_break says nothing does)"),
        Rule(name: "gpu-memory", table: "gpus", summary: "VRAM and bandwidth are positive except on integrated GPUs; a working set only on shared memory, ≤ that memory, and always on Apple (unified) rows"),
        Rule(name: "bandwidth", table: "gpus", summary: "bandwidth_gbps = bus_width_bits / 8 × data_rate_gbps within 3 %"),
        Rule(name: "data-rate", table: "gpus", summary: "the per-pin data rate is within the range of its memory type"),
        Rule(name: "value-range", table: nil, summary: "α and acceptance rates in (0, 1], prices positive, dates YYYY-MM-DD"),
    ]

    /// All problems of a snapshot, in table order and then row order.
    /// - Parameter origins: check only rows of these origins (`import` for rows about to be imported); the other
    ///   rows are the catalog they are checked against. nil: every row.
    public static func validate(_ s: CatalogSnapshot, origins: Set<String>? = nil) -> [CatalogProblem] {
        func checked(_ r: CatalogRecord) -> Bool { origins?.contains(r.origin) ?? true }
        var out: [CatalogProblem] = []
        for f in s.files where f.records.contains(where: checked) || (f.records.isEmpty && origins == nil) { out += columns(f) }
        for t in Schema.tables {
            let rows = s.records(t)
            for r in rows where checked(r) { out += values(r) + source(r) }
            out += uniqueIDs(rows)
        }
        let models = s.records("models"), gpus = s.records("gpus")
        let modelIDs = Set(models.map(\.id)), gpuIDs = Set(gpus.map(\.id))
        let tokenizers = Dictionary(s.records("tokenizers").map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in models where checked(r) {
            out += idFormat(r) + modelShape(r) + kvHeads(r) + headDim(r) + mla(r) + slidingWindow(r) + moe(r)
            out += modelReferences(r, tokenizers: tokenizers)
        }
        out += modelAliases(models, checking: checked)
        for r in s.records("tokenizers") where checked(r) { out += tokenizerRow(r, models: models) }
        for r in gpus where checked(r) { out += idFormat(r) + gpuEnums(r) + pciID(r) + gpuMemory(r) + bandwidth(r) + dataRate(r) }
        out += pciShared(gpus) + gpuAliases(gpus, checking: checked)
        for r in s.records("pairs") where checked(r) { out += pairRow(r, models: modelIDs) }
        for r in s.records("acceptance") where checked(r) { out += acceptanceRow(r) }
        for r in s.records("prices") where checked(r) { out += priceRow(r, gpus: gpuIDs) }
        for r in s.records("cloud_prices") where checked(r) { out += cloudPriceRow(r, models: modelIDs) }
        return origins.map { o in out.filter { o.contains($0.origin) } } ?? out
    }

    // MARK: Schema rules (every table)

    /// The header names exactly the schema's columns (order free; `origin` is the database's own column).
    static func columns(_ f: CatalogSnapshot.TableFile) -> [CatalogProblem] {
        guard let header = f.header else { return [] }
        let at = CatalogRecord(table: f.table, file: f.file, line: 1, origin: f.records.first?.origin ?? "import", fields: [:])
        guard let schema = Schema.columns[f.table] else { return [CatalogProblem(at, "columns", "no catalog table is called \(f.table)")] }
        let want = schema.map(\.name)
        var out: [CatalogProblem] = []
        let missing = want.filter { !header.contains($0) }, extra = header.filter { !want.contains($0) }
        if !missing.isEmpty { out.append(CatalogProblem(at, "columns", "missing column(s) \(missing.joined(separator: ", ")) of table \(f.table)")) }
        if !extra.isEmpty { out.append(CatalogProblem(at, "columns", "unknown column(s) \(extra.joined(separator: ", ")); table \(f.table) has \(want.joined(separator: ","))")) }
        return out
    }

    /// Each value parses as its column's type, and NOT NULL columns are not empty.
    static func values(_ r: CatalogRecord) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        for c in Schema.columns[r.table] ?? [] {
            guard let v = r.fields[c.name] else { continue } // the columns rule reports it
            if v.isEmpty {
                if c.notNull && !Schema.emptyAllowed.contains(c.name) {
                    out.append(CatalogProblem(r, "required", "\(c.name) is empty; give a value"))
                }
                continue
            }
            switch c.kind {
            case .integer where r.int(c.name) == nil:
                out.append(CatalogProblem(r, "type", "\(c.name) '\(v)' is not an integer"))
            case .double where r.double(c.name) == nil:
                out.append(CatalogProblem(r, "type", "\(c.name) '\(v)' is not a number"))
            case .boolean where r.bool(c.name) == nil:
                out.append(CatalogProblem(r, "type", "\(c.name) '\(v)' is not 0 or 1"))
            default: break
            }
        }
        return out
    }

    static func source(_ r: CatalogRecord) -> [CatalogProblem] {
        r["source"].trimmingCharacters(in: .whitespaces).isEmpty
            ? [CatalogProblem(r, "source", "source is empty: cite where the facts come from (a config.json, a datasheet, a pci.ids line)")] : []
    }

    /// A repeated id is reported on its later row (the one an import or an edit added).
    static func uniqueIDs(_ rows: [CatalogRecord]) -> [CatalogProblem] {
        var first: [String: CatalogRecord] = [:]
        var out: [CatalogProblem] = []
        for r in rows where !r.id.isEmpty {
            if let f = first[r.id] {
                out.append(CatalogProblem(r, "unique-id", "id \(r.id) is already used by the row at \(f.location) (\(f.origin)); choose another id"))
            } else {
                first[r.id] = r
            }
        }
        return out
    }

    static func idFormat(_ r: CatalogRecord) -> [CatalogProblem] {
        r.id.range(of: #"^[a-z0-9][a-z0-9._+-]*$"#, options: .regularExpression) == nil
            ? [CatalogProblem(r, "id-format", "id '\(r.id)' must be lower-case letters, digits and . _ + - (like llama-3.1-8b)")] : []
    }

    static func oneOf(_ r: CatalogRecord, _ column: String, _ allowed: [String]) -> [CatalogProblem] {
        allowed.contains(r[column]) ? [] : [CatalogProblem(r, "enum", "\(column) '\(r[column])' is not one of \(allowed.joined(separator: ", "))")]
    }

    static func isDate(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"#, options: .regularExpression) != nil
    }

    // MARK: Other tables

    static func tokenizerRow(_ r: CatalogRecord, models: [CatalogRecord]) -> [CatalogProblem] {
        var out = oneOf(r, "vocab_type", ["spm", "bpe", "wpm", "ugm", "rwkv", "plamo2", "none"])
        if let n = r.int("n_tokens"), n <= 0 { out.append(CatalogProblem(r, "value-range", "n_tokens \(n) must be positive")) }
        let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for m in r.list("members") {
            guard let model = byID[m] else {
                out.append(CatalogProblem(r, "reference", "member \(m) is not a model id"))
                continue
            }
            if model["tokenizer_id"] != r.id {
                out.append(CatalogProblem(r, "reference", "member \(m) has tokenizer_id \(model["tokenizer_id"]), not \(r.id)"))
            }
        }
        return out
    }

    static func pairRow(_ r: CatalogRecord, models: Set<String>) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        for c in ["target", "draft"] where !models.contains(r[c]) {
            out.append(CatalogProblem(r, "reference", "\(c) \(r[c]) is not a model id"))
        }
        out += oneOf(r, "relation", DraftRelation.allCases.map(\.rawValue))
        // "any": not measured on one task, as in acceptance.csv.
        for t in r.list("tasks") where t != "any" && SpecFitCore.Task(rawValue: t) == nil {
            out.append(CatalogProblem(r, "enum", "task '\(t)' is not any or one of \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return out
    }

    static func acceptanceRow(_ r: CatalogRecord) -> [CatalogProblem] {
        var out = oneOf(r, "relation", DraftRelation.allCases.map(\.rawValue))
        out += oneOf(r, "metric", ["alpha", "acceptance_rate", "speedup"])
        out += oneOf(r, "task", ["any"] + SpecFitCore.Task.allCases.map(\.rawValue))
        if ["alpha", "acceptance_rate"].contains(r["metric"]) {
            for c in ["value", "value_low", "value_high"] {
                if let v = r.double(c), !(v > 0 && v <= 1) {
                    out.append(CatalogProblem(r, "value-range", "\(c) \(v) of a \(r["metric"]) must be in (0, 1]"))
                }
            }
        }
        if let lo = r.double("value_low"), let hi = r.double("value_high"), lo > hi {
            out.append(CatalogProblem(r, "value-range", "value_low \(lo) is above value_high \(hi)"))
        }
        if let g = r.int("gamma"), g < 1 { out.append(CatalogProblem(r, "value-range", "gamma \(g) must be at least 1")) }
        if let s = r.double("speedup"), s <= 0 { out.append(CatalogProblem(r, "value-range", "speedup \(s) must be positive")) }
        return out
    }

    static func priceRow(_ r: CatalogRecord, gpus: Set<String>) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        if !gpus.contains(r["gpu_id"]) { out.append(CatalogProblem(r, "reference", "gpu_id \(r["gpu_id"]) is not a GPU id")) }
        out += oneOf(r, "kind", ["launch_msrp", "system_price", "reported_price"])
        if let p = r.double("price"), p <= 0 { out.append(CatalogProblem(r, "value-range", "price \(p) must be positive")) }
        if !isDate(r["date"]) { out.append(CatalogProblem(r, "value-range", "date '\(r["date"])' is not YYYY-MM-DD")) }
        if r["currency"].range(of: #"^[A-Z]{3}$"#, options: .regularExpression) == nil {
            out.append(CatalogProblem(r, "value-range", "currency '\(r["currency"])' is not a three-letter ISO 4217 code"))
        }
        return out
    }

    static func cloudPriceRow(_ r: CatalogRecord, models: Set<String>) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        if !r["model_id"].isEmpty && !models.contains(r["model_id"]) {
            out.append(CatalogProblem(r, "reference", "model_id \(r["model_id"]) is not a model id (leave it empty for a model the catalog lacks)"))
        }
        for c in ["input_per_mtok", "output_per_mtok"] {
            if let p = r.double(c), p < 0 { out.append(CatalogProblem(r, "value-range", "\(c) \(p) is negative")) }
        }
        if !isDate(r["date"]) { out.append(CatalogProblem(r, "value-range", "date '\(r["date"])' is not YYYY-MM-DD")) }
        return out
    }
}
