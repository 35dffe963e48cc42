import Foundation
import GRDB
import SpecFitCore

/// The SQLite catalog (DESIGN §3): bundled rows imported from the binary on first use and on upgrade, the
/// user's own rows kept apart (`origin = 'user'`), and measurements.
public final class CatalogStore: Sendable {
    public let path: String
    let dbQueue: DatabaseQueue
    /// The catalog this binary carries, whose rows the database's bundled rows are.
    public let bundled: BundledTables

    /// `$SPECFIT_DB`, else `$XDG_DATA_HOME/specfit/catalog.sqlite`, else `~/.local/share/specfit/catalog.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["SPECFIT_DB"], !p.isEmpty { return p }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return base + "/specfit/catalog.sqlite"
    }

    /// Opens (creating if needed) the catalog at `path` and brings its bundled rows up to date, in one transaction.
    /// - Parameter bundled: the catalog this binary carries; tests pass another one to play an upgrade.
    /// - Throws: ``CatalogError/unwritable(path:reason:)`` when the folder or file cannot be written,
    ///   ``CatalogError/corrupt(path:reason:)`` when the file exists but is not a SpecFit catalog — its bytes are
    ///   never modified then.
    public init(path: String, bundled: BundledTables = .current) throws {
        self.path = path
        self.bundled = bundled
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path)
        if fm.fileExists(atPath: path) {
            try Self.checkExisting(path: path)
        } else {
            let dir = url.deletingLastPathComponent().path
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw CatalogError.unwritable(path: path, reason: "cannot create folder \(dir)")
            }
            guard fm.isWritableFile(atPath: dir) else {
                throw CatalogError.unwritable(path: path, reason: "folder \(dir) is not writable")
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(5)
        do {
            dbQueue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw CatalogError.unwritable(path: path, reason: "\(error)")
        }
        do {
            try Schema.migrator.migrate(dbQueue)
            try syncBundled(bundled)
        } catch let e as CatalogError {
            throw e
        } catch let e as DatabaseError where e.resultCode == .SQLITE_READONLY || e.resultCode == .SQLITE_CANTOPEN || e.resultCode == .SQLITE_PERM {
            throw CatalogError.unwritable(path: path, reason: e.message ?? "\(e.resultCode)")
        } catch {
            throw CatalogError.corrupt(path: path, reason: "\(error)")
        }
    }

    /// Refuses a file that is not a SQLite database, or whose integrity check fails, before anything opens it for writing.
    static func checkExisting(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw CatalogError.unwritable(path: path, reason: "the file cannot be read")
        }
        let head = (try? h.read(upToCount: 16)) ?? Data()
        try? h.close()
        if head.isEmpty { return } // an empty file is a new database
        guard head == Data("SQLite format 3\0".utf8) else {
            throw CatalogError.corrupt(path: path, reason: "it does not start with the SQLite header")
        }
        var config = Configuration()
        config.readonly = true
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            let result = try q.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
            try q.close()
            guard result == "ok" else { throw CatalogError.corrupt(path: path, reason: "integrity check: \(result ?? "no answer")") }
        } catch let e as CatalogError {
            throw e
        } catch {
            throw CatalogError.corrupt(path: path, reason: "\(error)")
        }
        if !FileManager.default.isWritableFile(atPath: path) {
            throw CatalogError.unwritable(path: path, reason: "the file is read-only")
        }
    }

    /// The bundled catalog version the database holds rows of (nil before the first import).
    public func bundledVersion() throws -> String? {
        try dbQueue.read { db in try String.fetchOne(db, sql: "SELECT value FROM catalog_meta WHERE key = 'bundled_version'") }
    }

    /// Replaces the bundled rows when the binary carries a different catalog than the database (an upgrade, or a
    /// downgrade), leaving user rows alone: a user row whose id a bundled row also has keeps its place and the
    /// bundled row is left out, so an upgrade never overwrites what the user imported. One transaction: on any bad
    /// row nothing changes. Nothing is written when the versions agree.
    func syncBundled(_ bundled: BundledTables) throws {
        guard try bundledVersion() != bundled.version else { return }
        try dbQueue.write { db in
            // Another process may have synced meanwhile.
            let current = try String.fetchOne(db, sql: "SELECT value FROM catalog_meta WHERE key = 'bundled_version'")
            guard current != bundled.version else { return }
            for (name, text) in bundled.tables {
                try db.execute(sql: "DELETE FROM \(name) WHERE origin = 'bundled'")
                let userIDs = Set(try String.fetchAll(db, sql: "SELECT CAST(id AS TEXT) FROM \(name) WHERE origin = 'user'"))
                try Self.insert(db: db, table: name, csv: text, origin: "bundled", skipping: userIDs)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO catalog_meta(key, value) VALUES ('bundled_version', ?)",
                           arguments: [bundled.version])
        }
    }

    /// Inserts every row of a CSV table; the CSV header names the columns.
    /// - Parameter skipping: ids left out (user rows that take the place of bundled ones).
    static func insert(db: Database, table: String, csv: String, origin: String, skipping: Set<String> = []) throws {
        let t: CSVTable
        do { t = try CSVTable(name: table, text: csv) } catch let e as CatalogError { throw e } catch {
            throw CatalogError.badRow(table: table, line: 0, reason: "\(error)")
        }
        for r in t.records where !skipping.contains(r.fields["id"] ?? "") {
            guard let src = r.fields["source"], !src.isEmpty else {
                throw CatalogError.badRow(table: table, line: r.line, reason: "source is empty: every row must cite where its facts come from")
            }
        }
        try insert(db: db, table: table, header: t.header, records: t.records.filter { !skipping.contains($0.fields["id"] ?? "") },
                   origin: origin) { line, reason in CatalogError.badRow(table: table, line: line, reason: reason) }
    }

    /// Inserts rows with their values typed by the schema (an empty field is NULL, or "" in ``Schema/emptyAllowed``
    /// columns); `fail` turns a database error into the error to throw, with the row's line.
    static func insert(db: Database, table: String, header: [String], records: [CSVTable.Record], origin: String,
                       fail: (Int, String) -> Error) throws {
        let columns = header + ["origin"]
        let kinds = Dictionary(uniqueKeysWithValues: (Schema.columns[table] ?? []).map { ($0.name, $0.kind) })
        // Column names are quoted: some are SQL keywords ("check").
        let sql = "INSERT INTO \(table) (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let stmt: Statement
        do { stmt = try db.makeStatement(sql: sql) } catch let e as DatabaseError {
            throw fail(1, "header does not match the schema: \(e.message ?? "\(e)")")
        }
        for r in records {
            let values: [DatabaseValueConvertible?] = header.map { c in
                typedValue(r.fields[c] ?? "", column: c, kind: kinds[c] ?? .text)
            } + [origin]
            do {
                try stmt.execute(arguments: StatementArguments(values))
            } catch let e as DatabaseError {
                throw fail(r.line, e.message ?? "\(e)")
            }
        }
    }

    /// A CSV field as the value stored: Int, Double or Bool when it reads as one, else the text (the database then
    /// refuses what does not fit); empty is NULL unless the column keeps empty strings.
    static func typedValue(_ v: String, column: String, kind: Schema.Column.Kind) -> DatabaseValueConvertible? {
        if v.isEmpty { return Schema.emptyAllowed.contains(column) ? "" : nil }
        switch kind {
        case .integer:
            if let i = Int64(v) { return i }
            // "36.0" is an integer written as a number (a spreadsheet's export).
            if let d = Double(v), d.rounded() == d, abs(d) < 1e15 { return Int64(d) }
            return v
        case .double: return Double(v) ?? v
        case .boolean:
            switch v.lowercased() {
            case "1", "true": return true
            case "0", "false": return false
            default: return v
            }
        case .text: return v
        }
    }

    // MARK: Queries

    public func models() throws -> [ModelSpec] {
        try dbQueue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM models ORDER BY family, params_total_b").map(Self.model) }
    }

    public func gpus() throws -> [GPUSpec] {
        try dbQueue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM gpus ORDER BY vendor, id").map(Self.gpu) }
    }

    public func acceptance() throws -> [AcceptanceRecord] {
        try dbQueue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM acceptance ORDER BY id").compactMap(Self.acceptanceRecord) }
    }

    /// The newest catalog price of each card (`catalog/prices.csv`).
    public func prices() throws -> [String: CardPrice] {
        try dbQueue.read { db in
            var out: [String: CardPrice] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT * FROM prices ORDER BY date") {
                let p = CardPrice(gpuID: r["gpu_id"], amount: r["price"], currency: r["currency"], kind: r["kind"], date: r["date"], source: r["source"])
                out[p.gpuID] = p
            }
            return out
        }
    }

    /// The cheapest published output price per million tokens for a catalog model: (price, provider, date, source).
    public func cloudPrice(modelID: String) throws -> (perMTok: Double, provider: String, date: String, source: String)? {
        try dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cloud_prices WHERE model_id = ? ORDER BY output_per_mtok LIMIT 1", arguments: [modelID])
                .map { ($0["output_per_mtok"], $0["provider"], $0["date"], $0["source"]) }
        }
    }

    /// Rows of `catalog/errors.csv`: symptom, cause, how to tell, fix, the check key, source and date.
    public func errorEntries() throws -> [[String: String]] { try rows(table: "errors") }

    /// Popular target/draft pairs (`catalog/pairs.csv`), in file order.
    public func pairs() throws -> [(id: String, target: String, draft: String, relation: String, tasks: String, source: String)] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pairs ORDER BY rowid").map { ($0["id"], $0["target"], $0["draft"], $0["relation"], $0["tasks"], $0["source"]) }
        }
    }

    /// Tokenizer facts for a model: its group's row with the model's own vocab size.
    public func tokenizer(for m: ModelSpec) throws -> TokenizerFacts {
        try dbQueue.read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT * FROM tokenizers WHERE id = ?", arguments: [m.tokenizerID]) else {
                return TokenizerFacts(vocabType: "unknown", vocabSize: m.vocabSize, bosID: nil, eosID: nil, addBOS: false,
                                      addEOS: false, groupID: m.tokenizerID)
            }
            return TokenizerFacts(vocabType: r["vocab_type"], vocabSize: m.vocabSize, bosID: r["bos_id"], eosID: r["eos_id"],
                                  addBOS: r["add_bos"], addEOS: r["add_eos"], groupID: m.tokenizerID)
        }
    }

    /// Every row of a table as column → text, for `catalog list/show` of the small tables.
    public func rows(table: String) throws -> [[String: String]] {
        guard Schema.tables.contains(table) || table == "measurements" else { return [] }
        return try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                var d: [String: String] = [:]
                for (c, v) in row { d[c] = v.isNull ? "" : (String.fromDatabaseValue(v) ?? v.description) }
                return d
            }
        }
    }

    /// Records a measurement (for example the CPU's triad bandwidth) in one transaction.
    public func recordMeasurement(kind: String, subject: String, machine: String, value: Double, unit: String,
                                  measuredAt: String, details: String = "{}", source: String) throws {
        try dbQueue.write { db in
            try db.execute(sql: """
                INSERT INTO measurements (kind, subject, machine, value, unit, measured_at, details, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind, subject, machine, value, unit, measuredAt, details, source])
        }
    }

    /// The newest measurement of a kind for a subject: (value, measured_at, details).
    public func latestMeasurement(kind: String, subject: String) throws -> (value: Double, measuredAt: String, details: String)? {
        try dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT value, measured_at, details FROM measurements WHERE kind = ? AND subject = ? ORDER BY id DESC LIMIT 1",
                             arguments: [kind, subject]).map { ($0["value"], $0["measured_at"], $0["details"]) }
        }
    }

    // MARK: Row mapping

    /// Splits a semicolon-separated list column.
    public static func list(_ s: String?) -> [String] {
        (s ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func model(_ r: Row) -> ModelSpec {
        ModelSpec(id: r["id"], family: r["family"], name: r["name"], aliases: list(r["aliases"]), architecture: r["architecture"],
                  paramsTotalB: r["params_total_b"], paramsActiveB: r["params_active_b"], nLayer: r["n_layer"], nEmbd: r["n_embd"],
                  nHead: r["n_head"], nHeadKV: r["n_head_kv"], headDimK: r["head_dim_k"], headDimV: r["head_dim_v"], nFF: r["n_ff"],
                  vocabSize: r["vocab_size"], tokenizerID: r["tokenizer_id"], nCtxTrain: r["n_ctx_train"],
                  slidingWindow: r["sliding_window"], swaPeriod: r["swa_period"], nExpert: r["n_expert"],
                  nExpertUsed: r["n_expert_used"], nExpertShared: r["n_expert_shared"], nFFExpert: r["n_ff_expert"],
                  nLayerDenseLead: r["n_layer_dense_lead"], qLoraRank: r["q_lora_rank"], kvLoraRank: r["kv_lora_rank"],
                  ropeHeadDim: r["rope_head_dim"], keyLengthMLA: r["key_length_mla"], valueLengthMLA: r["value_length_mla"],
                  tiedEmbeddings: r["tied_embeddings"], hfRepo: r["hf_repo"], source: r["source"])
    }

    static func gpu(_ r: Row) -> GPUSpec {
        func opt(_ c: String) -> String? { let s: String? = r[c]; return (s?.isEmpty ?? true) ? nil : s }
        return GPUSpec(id: r["id"], vendor: r["vendor"], name: r["name"], aliases: list(r["aliases"]),
                       pciVendorID: opt("pci_vendor_id"), pciDeviceID: opt("pci_device_id"),
                       pciSubsystemVendorID: opt("pci_subsys_vendor_id"), pciSubsystemDeviceID: opt("pci_subsys_device_id"),
                       pciRevisions: list(r["pci_revisions"]),
                       variant: GPUSpec.Variant(rawValue: r["variant"]) ?? .desktop, vramMiB: r["vram_mib"] ?? 0,
                       memoryType: r["memory_type"] ?? "", busWidthBits: r["bus_width_bits"], dataRateGbps: r["data_rate_gbps"],
                       bandwidthGBps: r["bandwidth_gbps"] ?? 0, fp16TFLOPS: r["fp16_tflops"], bf16TFLOPS: r["bf16_tflops"],
                       boardPowerW: r["board_power_w"], unifiedMemory: r["unified_memory"], gpuWorkingSetMiB: r["gpu_working_set_mib"],
                       backend: GPUSpec.Backend(rawValue: r["backend"]) ?? .vulkan, tieBreak: opt("tie_break"), source: r["source"])
    }

    static func acceptanceRecord(_ r: Row) -> AcceptanceRecord? {
        guard let rel = DraftRelation(rawValue: r["relation"]), let metric = AcceptanceRecord.Metric(rawValue: r["metric"]) else { return nil }
        return AcceptanceRecord(id: r["id"], relation: rel, task: r["task"], target: r["target"], draft: r["draft"], metric: metric,
                                value: r["value"], valueLow: r["value_low"], valueHigh: r["value_high"], gamma: r["gamma"],
                                speedup: r["speedup"], hardware: r["hardware"], source: r["source"], notes: r["notes"])
    }
}
