import Foundation
import GRDB
import SpecFitCore

/// The user's own rows (`origin = 'user'`): imported from CSV, added from a GGUF header, exported, removed.
///
/// An import is all or nothing. Every row is checked — types, required columns, the source, the rules of
/// ``CatalogValidator`` against the catalog it joins — before the database is opened for writing; then all rows go
/// in within one transaction. A bad row rejects the whole file with its line and reason, and the database file
/// stays byte for byte as it was.
extension CatalogStore {
    /// Tables a user may add rows to. `quant_types` and `ftypes` mirror enums in the code, and `errors` rows name
    /// checks the code runs, so rows there would do nothing or break `doctor`.
    public static let importableTables = ["models", "gpus", "tokenizers", "acceptance", "pairs", "prices", "cloud_prices"]

    /// What an import or add did.
    public struct ImportResult: Sendable, Codable, Equatable {
        public var table: String
        public var inserted: [String]
        /// Ids whose earlier row (bundled or the user's) the new row took the place of (`--replace`).
        public var replaced: [String]
        /// Rows of other tables written with them (the tokenizer group of `catalog add --from-gguf`).
        public var alsoInserted: [String]
        /// Names `catalog add` did not keep as aliases because they already lead to another row.
        public var aliasesLeftOut: [String] = []
        /// Catalog tokenizer groups with the file's facts when several had them and a new group was made instead.
        public var tokenizerCandidates: [String] = []
    }

    /// The table whose columns a CSV header names (order free); nil when none or several.
    public static func table(forHeader header: [String]) -> String? {
        let h = Set(header)
        let hits = importableTables.filter { Set((Schema.columns[$0] ?? []).map(\.name)) == h }
        return hits.count == 1 ? hits[0] : nil
    }

    /// Imports a CSV file of one table as user rows.
    /// - Parameters:
    ///   - table: the table, or nil to tell it from the header.
    ///   - replace: let a row take the place of a bundled or user row with the same id (else that is an error).
    /// - Throws: ``CatalogError/importRejected(location:reason:more:)`` naming the first bad line; nothing is written.
    @discardableResult
    public func importCSV(text: String, file: String, table: String? = nil, replace: Bool = false) throws -> ImportResult {
        try importRecords([try parseImport(text: text, file: file, table: table)], replace: replace)
    }

    /// The problems `catalog import` would find in a CSV file, and how many rows it holds; nothing is written.
    /// - Throws: ``CatalogError/importRejected(location:reason:more:)`` when the file is not a CSV table of the catalog.
    public func checkCSV(text: String, file: String, table: String? = nil, replace: Bool = false) throws -> (problems: [CatalogProblem], rows: Int) {
        let f = try parseImport(text: text, file: file, table: table)
        return (try importProblems([f], replace: replace).problems, f.records.count)
    }

    /// A CSV file of user rows: its table (given, or told from the header) and its rows.
    func parseImport(text: String, file: String, table: String?) throws -> CatalogSnapshot.TableFile {
        let parsed: CSVTable
        do { parsed = try CSVTable(name: file, text: text) } catch let CatalogError.badRow(_, line, reason) {
            throw CatalogError.importRejected(location: "\(file):\(line)", reason: reason, more: 0)
        }
        let name: String
        if let table {
            guard Self.importableTables.contains(table) else {
                throw CatalogError.importRejected(location: file, reason: "table \(table) does not take user rows; use one of \(Self.importableTables.joined(separator: ", "))", more: 0)
            }
            name = table
        } else {
            guard let t = Self.table(forHeader: parsed.header) else {
                let closest = Self.importableTables.max { a, b in
                    Set((Schema.columns[a] ?? []).map(\.name)).intersection(parsed.header).count
                        < Set((Schema.columns[b] ?? []).map(\.name)).intersection(parsed.header).count
                } ?? "models"
                let want = (Schema.columns[closest] ?? []).map(\.name)
                let missing = want.filter { !parsed.header.contains($0) }, extra = parsed.header.filter { !want.contains($0) }
                throw CatalogError.importRejected(location: "\(file):1", reason: "the header is not that of a catalog table (closest: \(closest)" +
                    (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))") + (extra.isEmpty ? "" : "; unknown \(extra.joined(separator: ", "))") +
                    "); use the header of `specfit catalog export --table \(closest)`, or name the table with --table", more: 0)
            }
            name = t
        }
        guard !parsed.records.isEmpty else {
            throw CatalogError.importRejected(location: file, reason: "the file has a header but no rows", more: 0)
        }
        return CatalogSnapshot.TableFile(table: name, file: file, header: parsed.header,
                                         records: parsed.records.map { CatalogRecord(table: name, file: file, line: $0.line, origin: "import", fields: $0.fields) })
    }

    /// The problems of rows about to be imported, checked against the catalog they would join, and the ids whose
    /// rows they would take the place of.
    func importProblems(_ files: [CatalogSnapshot.TableFile], replace: Bool) throws -> (problems: [CatalogProblem], replacing: [String: Set<String>]) {
        // Ids already taken, and by which row.
        var taken: [String: [String: String]] = [:]   // table → id → origin
        try dbQueue.read { db in
            for f in files {
                for row in try Row.fetchAll(db, sql: "SELECT CAST(id AS TEXT) AS id, origin FROM \(f.table)") {
                    taken[f.table, default: [:]][row["id"]] = row["origin"]
                }
            }
        }
        var problems: [CatalogProblem] = []
        var replacing: [String: Set<String>] = [:]
        for f in files {
            for r in f.records where !r.id.isEmpty {
                guard let origin = taken[f.table]?[r.id] else { continue }
                if replace {
                    replacing[f.table, default: []].insert(r.id)
                } else {
                    problems.append(CatalogProblem(r, "unique-id", "id \(r.id) is already a\(origin == "user" ? " user" : " bundled") row of \(f.table); choose another id, or pass --replace to put this row in its place"))
                }
            }
        }
        let snapshot = try self.snapshot(excluding: replacing, adding: files)
        problems += CatalogValidator.validate(snapshot, origins: ["import"])
        return (problems, replacing)
    }

    /// Checks rows of one or more tables against the catalog they would join and writes them in one transaction;
    /// the last file's table is the one reported.
    func importRecords(_ files: [CatalogSnapshot.TableFile], replace: Bool) throws -> ImportResult {
        let (problems, replacing) = try importProblems(files, replace: replace)
        if let first = problems.first {
            throw CatalogError.importRejected(location: first.line.map { "\(first.file):\($0)" } ?? first.file,
                                              reason: (first.id.isEmpty ? "" : "\(first.id): ") + "\(first.rule): \(first.message)",
                                              more: problems.count - 1)
        }
        try dbQueue.write { db in
            for f in files {
                for id in replacing[f.table] ?? [] {
                    try db.execute(sql: "DELETE FROM \(f.table) WHERE CAST(id AS TEXT) = ?", arguments: [id])
                }
                let header = f.header ?? (Schema.columns[f.table] ?? []).map(\.name).filter { c in f.records.contains { $0.fields[c] != nil } }
                try Self.insert(db: db, table: f.table, header: header,
                                records: f.records.map { CSVTable.Record(line: $0.line ?? 0, fields: $0.fields) }, origin: "user") { line, reason in
                    CatalogError.importRejected(location: line > 0 ? "\(f.file):\(line)" : f.file, reason: reason, more: 0)
                }
            }
            try Self.removeOrphanTokenizerGroups(db)
        }
        guard let last = files.last else { return ImportResult(table: "", inserted: [], replaced: [], alsoInserted: []) }
        return ImportResult(table: last.table, inserted: last.records.map(\.id), replaced: (replacing[last.table] ?? []).sorted(),
                            alsoInserted: files.dropLast().flatMap { $0.records.map { "\($0.table) \($0.id)" } })
    }

    /// The bundled rows (with their catalog file and line) and the user rows of the database, table by table, less
    /// the ids in `excluding`, followed by `adding`: what ``CatalogValidator`` checks.
    public func snapshot(excluding: [String: Set<String>] = [:], adding: [CatalogSnapshot.TableFile] = []) throws -> CatalogSnapshot {
        var files: [CatalogSnapshot.TableFile] = []
        let user = try userRecords()
        for t in Schema.tables {
            let userIDs = Set(user.filter { $0.table == t }.map(\.id))
            let skip = excluding[t] ?? []
            if let text = bundled.csv(t) {
                var f = try CatalogSnapshot.parse(table: t, file: "catalog/\(t).csv", text: text, origin: "bundled")
                // A user row with a bundled id took that row's place in the database.
                f.records.removeAll { userIDs.contains($0.id) || skip.contains($0.id) }
                files.append(f)
            }
            let mine = user.filter { $0.table == t && !skip.contains($0.id) }
            if !mine.isEmpty { files.append(.init(table: t, file: "\(path) (user \(t))", header: nil, records: mine)) }
        }
        return CatalogSnapshot(files: files + adding)
    }

    /// Every user row, table by table in insertion order, its values as CSV text.
    public func userRecords() throws -> [CatalogRecord] {
        try dbQueue.read { db in
            var out: [CatalogRecord] = []
            for t in Schema.tables {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(t) WHERE origin = 'user' ORDER BY rowid") {
                    out.append(CatalogRecord(table: t, file: "\(path) (user \(t))", line: nil, origin: "user", fields: Self.csvFields(row)))
                }
            }
            return out
        }
    }

    /// A database row as CSV fields: integers without a decimal point, numbers in their shortest exact form,
    /// flags 0/1, NULL empty; `origin` left out.
    static func csvFields(_ row: Row) -> [String: String] {
        var d: [String: String] = [:]
        for (c, v) in row where c != "origin" {
            switch v.storage {
            case .null: d[c] = ""
            case .int64(let i): d[c] = String(i)
            case .double(let x): d[c] = x.rounded() == x && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
            case .string(let s): d[c] = s
            case .blob(let b): d[c] = String(decoding: b, as: UTF8.self)
            }
        }
        return d
    }

    /// Removes one user row. Bundled rows cannot be removed (they come back with the next catalog), only replaced.
    public func removeUserRow(table: String, id: String) throws {
        guard Schema.tables.contains(table) else {
            throw CatalogError.noUserRow(table: table, id: id, bundled: false)
        }
        let origin = try dbQueue.read { db in
            try String.fetchOne(db, sql: "SELECT origin FROM \(table) WHERE CAST(id AS TEXT) = ?", arguments: [id])
        }
        guard origin == "user" else { throw CatalogError.noUserRow(table: table, id: id, bundled: origin == "bundled") }
        try dbQueue.write { db in
            try db.execute(sql: "DELETE FROM \(table) WHERE CAST(id AS TEXT) = ? AND origin = 'user'", arguments: [id])
            try Self.removeOrphanTokenizerGroups(db)
        }
    }

    /// Drops the user tokenizer groups `catalog add` made for one model (id and only member the model's id) once
    /// no model uses them — after that model was removed or replaced with another tokenizer.
    static func removeOrphanTokenizerGroups(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM tokenizers WHERE origin = 'user' AND members = id
              AND NOT EXISTS (SELECT 1 FROM models WHERE models.tokenizer_id = tokenizers.id)
            """)
    }

    /// Which rows `catalog export` writes.
    public enum OriginFilter: String, Sendable, CaseIterable { case user, bundled, all }

    /// A table as CSV with the bundled file's header, readable by `catalog import`: bundled rows first, then the
    /// user's, each in the order they were written.
    public func exportCSV(table: String, origin: OriginFilter) throws -> String {
        guard Schema.tables.contains(table) else {
            throw CatalogError.importRejected(location: table, reason: "no catalog table is called \(table); use one of \(Schema.tables.joined(separator: ", "))", more: 0)
        }
        let header = bundled.header(table) ?? (Schema.columns[table] ?? []).map(\.name)
        let filter = switch origin {
        case .user: "WHERE origin = 'user'"
        case .bundled: "WHERE origin = 'bundled'"
        case .all: ""
        }
        let rows = try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) \(filter) ORDER BY origin = 'user', rowid").map(Self.csvFields)
        }
        return CSVTable.write(header: header, rows: rows)
    }

    // MARK: A model from a GGUF header

    /// A model read from a GGUF header, ready to become a user row.
    public struct GGUFModelRow: Sendable {
        public var spec: ModelSpec
        public var tokenizer: TokenizerFacts
        /// `tokenizer.ggml.pre` ("default" when absent).
        public var tokenizerPre: String
        /// The token list's length (`tokenizer.ggml.tokens`), which a tokenizer group's `n_tokens` counts.
        public var tokenCount: Int
        public var source: String

        public init(spec: ModelSpec, tokenizer: TokenizerFacts, tokenizerPre: String, tokenCount: Int, source: String) {
            self.spec = spec; self.tokenizer = tokenizer; self.tokenizerPre = tokenizerPre; self.tokenCount = tokenCount; self.source = source
        }
    }

    /// The catalog tokenizer groups whose facts (vocab type, token count, BOS/EOS ids and flags, pre-tokenizer) are
    /// the file's. Facts can agree while token texts differ (Qwen2.5 and Qwen3 do), so only a single match is used.
    public func tokenizerGroups(matching m: GGUFModelRow) throws -> [String] {
        try rows(table: "tokenizers").filter { r in
            r["vocab_type"] == m.tokenizer.vocabType && r["n_tokens"] == String(m.tokenCount)
                && r["bos_id"] == (m.tokenizer.bosID.map(String.init) ?? "") && r["eos_id"] == (m.tokenizer.eosID.map(String.init) ?? "")
                && r["add_bos"] == (m.tokenizer.addBOS ? "1" : "0") && r["add_eos"] == (m.tokenizer.addEOS ? "1" : "0")
                && r["pre_tokenizer"] == m.tokenizerPre
        }.compactMap { $0["id"] }.sorted()
    }

    /// Adds a model read from a GGUF header as a user row (and, when no catalog tokenizer group has the file's
    /// tokenizer facts and none is named, a user tokenizer group of its own), checked like an import.
    /// - Parameter tokenizerID: the tokenizer group to put the model in; nil: the matching group, else a new one.
    @discardableResult
    public func addModel(_ m: GGUFModelRow, file: String, tokenizerID: String? = nil, replace: Bool = false) throws -> ImportResult {
        var spec = m.spec
        var files: [CatalogSnapshot.TableFile] = []
        // A file named after a catalog model (qwen2.5-coder-0.5b-instruct-q4_k_m.gguf) keeps that name for the
        // catalog row: an alias may lead to one row only.
        let resolver = ModelNameResolver(models: try models())
        var dropped: [String] = []
        var tokenizerCandidates: [String] = []
        spec.aliases = spec.aliases.filter { a in
            if case .notFound = resolver.resolve(a) { return true }
            dropped.append(a)
            return false
        }
        if let tokenizerID {
            spec.tokenizerID = tokenizerID
        } else if case let groups = try tokenizerGroups(matching: m), groups.count == 1, let group = groups.first {
            spec.tokenizerID = group
            spec.source += "; tokenizer group \(group): the catalog group whose vocab type, \(m.tokenCount) tokens, BOS/EOS ids and flags and pre-tokenizer '\(m.tokenizerPre)' are the file's"
        } else {
            tokenizerCandidates = try tokenizerGroups(matching: m)
            spec.tokenizerID = spec.id
            let t = m.tokenizer
            let fields: [String: String] = [
                "id": spec.id, "vocab_type": t.vocabType, "n_tokens": String(m.tokenCount), "bos_id": t.bosID.map(String.init) ?? "",
                "eos_id": t.eosID.map(String.init) ?? "", "add_bos": t.addBOS ? "1" : "0", "add_eos": t.addEOS ? "1" : "0",
                "pre_tokenizer": m.tokenizerPre, "members": spec.id, "source": m.source,
            ]
            files.append(.init(table: "tokenizers", file: file, header: nil,
                               records: [CatalogRecord(table: "tokenizers", file: file, line: nil, origin: "import", fields: fields)]))
        }
        files.append(.init(table: "models", file: file, header: nil,
                           records: [CatalogRecord(table: "models", file: file, line: nil, origin: "import", fields: Self.modelFields(spec))]))
        var result = try importRecords(files, replace: replace)
        result.aliasesLeftOut = dropped
        result.tokenizerCandidates = tokenizerCandidates
        return result
    }

    /// A model as the columns of `models.csv`.
    public static func modelFields(_ m: ModelSpec) -> [String: String] {
        func n(_ x: Double) -> String { String(format: "%.4g", x) }
        return [
            "id": m.id, "family": m.family, "name": m.name, "aliases": m.aliases.joined(separator: ";"), "architecture": m.architecture,
            "params_total_b": n(m.paramsTotalB), "params_active_b": n(m.paramsActiveB), "n_layer": String(m.nLayer),
            "n_embd": String(m.nEmbd), "n_head": String(m.nHead), "n_head_kv": String(m.nHeadKV), "head_dim_k": String(m.headDimK),
            "head_dim_v": String(m.headDimV), "n_ff": String(m.nFF), "vocab_size": String(m.vocabSize), "tokenizer_id": m.tokenizerID,
            "n_ctx_train": String(m.nCtxTrain), "sliding_window": String(m.slidingWindow), "swa_period": String(m.swaPeriod),
            "n_expert": String(m.nExpert), "n_expert_used": String(m.nExpertUsed), "n_expert_shared": String(m.nExpertShared),
            "n_ff_expert": String(m.nFFExpert), "n_layer_dense_lead": String(m.nLayerDenseLead), "q_lora_rank": String(m.qLoraRank),
            "kv_lora_rank": String(m.kvLoraRank), "rope_head_dim": String(m.ropeHeadDim), "key_length_mla": String(m.keyLengthMLA),
            "value_length_mla": String(m.valueLengthMLA), "tied_embeddings": m.tiedEmbeddings ? "1" : "0", "hf_repo": m.hfRepo,
            "source": m.source,
        ]
    }

    /// A catalog id made from a model's name: lower-case, words joined by '-', only letters, digits and . _ + -.
    public static func slug(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ".+_".contains(ch)) { out.append(ch) }
            else if !out.hasSuffix("-") { out.append("-") }
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-._"))
    }
}
