import Foundation
import Testing
@testable import Catalog
import SpecFitCore

/// The user's own rows: transactional imports, upgrades that leave them alone, export that import reads back.
@Suite struct UserRowsTests {
    let store: CatalogStore
    let dir: URL
    init() throws { (store, dir) = try freshCatalog() }

    var bytes: Data { get throws { try Data(contentsOf: URL(fileURLWithPath: store.path)) } }

    /// The bundled models.csv header and a row of it with some fields changed.
    func modelsCSV(_ rows: [[String: String]]) throws -> String {
        let header = try #require(BundledTables.current.header("models"))
        return CSVTable.write(header: header, rows: rows)
    }

    func bundledRow(_ table: String, _ id: String, _ changes: [String: String] = [:]) throws -> [String: String] {
        let s = try CatalogSnapshot.bundled()
        var r = try #require(s.records(table).first { $0.id == id }).fields
        for (k, v) in changes { r[k] = v }
        return r
    }

    /// Two good rows around a bad one: a Llama 3.1 8B fine-tune under its own id, with a KV-head count that does not divide.
    func threeRows(badLine3: Bool) throws -> String {
        try modelsCSV([
            try bundledRow("models", "llama-3.1-8b", ["id": "my-llama-a", "aliases": "", "hf_repo": "", "name": "My Llama A"]),
            try bundledRow("models", "llama-3.1-8b", ["id": "my-llama-b", "aliases": "", "hf_repo": "", "name": "My Llama B",
                                                       "n_head_kv": badLine3 ? "5" : "8"]),
            try bundledRow("models", "llama-3.1-8b", ["id": "my-llama-c", "aliases": "", "hf_repo": "", "name": "My Llama C"]),
        ])
    }

    @Test func an_import_with_one_bad_row_leaves_the_database_byte_for_byte() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try bytes
        do {
            try store.importCSV(text: try threeRows(badLine3: true), file: "mine.csv")
            Issue.record("a file with a bad row must be rejected")
        } catch let e as CatalogError {
            // Line 3 of the file (header on line 1) is the second row, the bad one.
            #expect(e.localizedDescription.hasPrefix("mine.csv:3: my-llama-b: kv-heads: n_head_kv 5 does not divide n_head 32"), "\(e.localizedDescription)")
            #expect(e.localizedDescription.contains("nothing was imported"))
            #expect(e.exitCode == 2)
        }
        #expect(try bytes == before)
        #expect(try store.models().contains { $0.id == "my-llama-a" } == false)
        // Reopening does not change it either.
        _ = try CatalogStore(path: store.path)
        #expect(try bytes == before)
    }

    @Test func unreadable_csv_is_refused_and_nothing_changes() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try bytes
        let good = try threeRows(badLine3: false)
        let broken: [(String, String)] = [
            (good + "my-x,\"quoted\"trailing\n", "text after a closing quote"),   // a stray quote
            (good + "my-x,\"unterminated\n", "never closed"),
            ("id,colour\nx,red\n", "not that of a catalog table"),
            (try modelsCSV([]), "no rows"),
            (good.replacingOccurrences(of: ",llama,", with: ",llama,,"), "fields, the header has"),
        ]
        for (text, reason) in broken {
            do {
                try store.importCSV(text: text, file: "bad.csv")
                Issue.record("accepted: \(reason)")
            } catch let e as CatalogError {
                #expect(e.localizedDescription.contains(reason), "\(e.localizedDescription)")
            }
            #expect(try bytes == before)
        }
    }

    @Test func a_good_file_goes_in_whole_as_user_rows() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try store.importCSV(text: try threeRows(badLine3: false), file: "mine.csv")
        #expect(r.table == "models" && r.inserted == ["my-llama-a", "my-llama-b", "my-llama-c"])
        let users = try store.userRecords().map(\.id)
        #expect(users == ["my-llama-a", "my-llama-b", "my-llama-c"])
        #expect(try store.models().contains { $0.id == "my-llama-b" && $0.nHeadKV == 8 && $0.nLayer == 32 })
        // The same ids again: refused unless --replace.
        #expect(throws: CatalogError.self) { try store.importCSV(text: try threeRows(badLine3: false), file: "mine.csv") }
        #expect(try store.importCSV(text: try threeRows(badLine3: false), file: "mine.csv", replace: true).replaced.count == 3)
        #expect(try CatalogValidator.validate(store.snapshot()).isEmpty)
    }

    @Test func a_bundled_id_needs_replace_and_a_gpu_table_is_told_from_its_header() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = try #require(BundledTables.current.header("gpus"))
        // My RTX 4090 measured at 950 GB/s: the same row, a new bandwidth, my source. The data rate follows (950·8/384).
        let mine = try bundledRow("gpus", "rtx-4090", ["bandwidth_gbps": "950", "data_rate_gbps": "19.79", "source": "my measurement"])
        let text = CSVTable.write(header: header, rows: [mine])
        do { try store.importCSV(text: text, file: "gpu.csv"); Issue.record("a bundled id must need --replace") } catch let e as CatalogError {
            #expect(e.localizedDescription.contains("--replace"))
        }
        let r = try store.importCSV(text: text, file: "gpu.csv", replace: true)
        #expect(r.table == "gpus" && r.replaced == ["rtx-4090"])
        #expect(try store.gpus().first { $0.id == "rtx-4090" }?.bandwidthGBps == 950)
    }

    /// An upgrade: a database made by an older binary (an older bundled catalog) with user rows, opened by a newer
    /// one. The bundled rows become the new ones; the user rows, one of which took a bundled row's place, stay as
    /// they were.
    @Test func user_rows_survive_a_catalog_upgrade() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let current = BundledTables.current
        // The old catalog: llama-3.1-8b said 30 layers, and qwen3-8b did not exist yet.
        let old = BundledTables(version: "old", tables: try current.tables.map { t -> (name: String, csv: String) in
            guard t.name == "models" else { return t }
            let csv = try CSVTable(name: "models", text: t.csv)
            let rows = csv.rows.filter { $0["id"] != "qwen3-8b" }.map { r in
                r["id"] == "llama-3.1-8b" ? r.merging(["n_layer": "30"]) { _, b in b } : r
            }
            return (t.name, CSVTable.write(header: csv.header, rows: rows))
        })
        let oldDir = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-upgrade-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: oldDir) }
        let path = oldDir.appendingPathComponent("catalog.sqlite").path
        let oldStore = try CatalogStore(path: path, bundled: old)
        #expect(try oldStore.models().first { $0.id == "llama-3.1-8b" }?.nLayer == 30)
        #expect(try oldStore.models().contains { $0.id == "qwen3-8b" } == false)
        try oldStore.importCSV(text: try threeRows(badLine3: false), file: "mine.csv")
        // The user's own Mistral 7B row in place of the bundled one.
        try oldStore.importCSV(text: try modelsCSV([try bundledRow("models", "mistral-7b", ["n_ctx_train": "16384", "source": "my notes"])]),
                               file: "mistral.csv", replace: true)
        let userBefore = try oldStore.userRecords()
        #expect(userBefore.count == 4)

        let newStore = try CatalogStore(path: path, bundled: current)
        #expect(try newStore.bundledVersion() == current.version)
        let models = try newStore.models()
        #expect(models.first { $0.id == "llama-3.1-8b" }?.nLayer == 32)      // bundled row replaced
        #expect(models.contains { $0.id == "qwen3-8b" })                     // new bundled row in
        #expect(try newStore.userRecords() == userBefore)                    // user rows as they were
        #expect(models.first { $0.id == "mistral-7b" }?.nCtxTrain == 16384) // the user's row still in place of the bundled one
        #expect(models.filter { $0.id == "mistral-7b" }.count == 1)
        #expect(try CatalogValidator.validate(newStore.snapshot()).isEmpty)
        // And back to the old binary: the same.
        let again = try CatalogStore(path: path, bundled: old)
        #expect(try again.userRecords() == userBefore)
        #expect(try again.models().first { $0.id == "llama-3.1-8b" }?.nLayer == 30)
    }

    @Test func export_is_read_back_by_import() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.importCSV(text: try threeRows(badLine3: false), file: "mine.csv")
        let header = try #require(BundledTables.current.header("gpus"))
        // A source with a comma, quotes and a line break, to go through the CSV quoting.
        let card = try bundledRow("gpus", "rtx-4090", ["id": "my-4090-48gb", "aliases": "", "vram_mib": "49152",
                                                       "tie_break": "vram_mib (48 GB board on the 4090's id)",
                                                       "source": "my card, \"48 GB\" mod\nmeasured 2026-11-29"])
        try store.importCSV(text: CSVTable.write(header: header, rows: [card]), file: "card.csv")
        let models = try store.exportCSV(table: "models", origin: .user)
        let gpus = try store.exportCSV(table: "gpus", origin: .user)
        #expect(models.hasPrefix(try #require(BundledTables.current.header("models")).joined(separator: ",") + "\n"))

        let (other, otherDir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: otherDir) }
        try other.importCSV(text: models, file: "models-export.csv")
        try other.importCSV(text: gpus, file: "gpus-export.csv")
        #expect(try other.exportCSV(table: "models", origin: .user) == models)
        #expect(try other.exportCSV(table: "gpus", origin: .user) == gpus)
        #expect(try other.userRecords().map(\.fields) == (try store.userRecords().map(\.fields)))
        #expect(try other.gpus().first { $0.id == "my-4090-48gb" }?.source == "my card, \"48 GB\" mod\nmeasured 2026-11-29")
    }

    @Test func bundled_export_matches_the_bundled_csv() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        for table in ["models", "gpus", "tokenizers", "pairs"] {
            let exported = try CSVTable(name: table, text: try store.exportCSV(table: table, origin: .bundled))
            let original = try CSVTable(name: table, text: try #require(BundledTables.current.csv(table)))
            #expect(exported.header == original.header)
            #expect(exported.rows.count == original.rows.count)
            for (a, b) in zip(exported.rows, original.rows) {
                for c in original.header where a[c] != b[c] {
                    // Numbers may be written differently ("1.0" / "1"); their values agree.
                    #expect(Double(a[c] ?? "") != nil && Double(a[c] ?? "") == Double(b[c] ?? ""), "\(table) \(b["id"] ?? "") \(c): \(a[c] ?? "") vs \(b[c] ?? "")")
                }
            }
        }
    }

    /// What `catalog add --from-gguf` reads from a fine-tune's header: the base model's shapes and the tokenizer facts
    /// of a catalog group.
    func ggufRow(base id: String, newID: String, aliases: [String], tokenCount: Int? = nil) throws -> CatalogStore.GGUFModelRow {
        let base = try #require(try store.models().first { $0.id == id })
        var spec = base
        spec.id = newID
        spec.name = "My \(base.name) Tune"
        spec.aliases = aliases
        spec.hfRepo = ""
        spec.source = "GGUF header of /models/\(newID).gguf"
        let tok = try #require(try store.rows(table: "tokenizers").first { $0["id"] == base.tokenizerID })
        let facts = TokenizerFacts(vocabType: tok["vocab_type"] ?? "", vocabSize: Int(tok["n_tokens"] ?? "") ?? 0,
                                   bosID: Int(tok["bos_id"] ?? ""), eosID: Int(tok["eos_id"] ?? ""),
                                   addBOS: tok["add_bos"] == "1", addEOS: tok["add_eos"] == "1")
        return CatalogStore.GGUFModelRow(spec: spec, tokenizer: facts, tokenizerPre: tok["pre_tokenizer"] ?? "",
                                         tokenCount: tokenCount ?? facts.vocabSize, source: spec.source)
    }

    @Test func a_model_from_a_gguf_header_goes_in_with_its_tokenizer_group() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        // Gemma 3's facts (spm, 262144 tokens, BOS 2, EOS 1) are one catalog group's: the model joins it.
        let gemma = try ggufRow(base: "gemma-3-1b", newID: "my-gemma-tune", aliases: ["my-gemma-tune-q4_k_m", "gemma-3-1b-it-Q4_K_M"])
        let r = try store.addModel(gemma, file: "/models/my-gemma-tune.gguf")
        #expect(r.inserted == ["my-gemma-tune"] && r.alsoInserted.isEmpty && r.tokenizerCandidates.isEmpty)
        // The base model's file name already names gemma-3-1b: not kept as an alias.
        #expect(r.aliasesLeftOut == ["gemma-3-1b-it-Q4_K_M"])
        let added = try #require(try store.models().first { $0.id == "my-gemma-tune" })
        #expect(added.tokenizerID == "gemma3" && added.aliases == ["my-gemma-tune-q4_k_m"])
        #expect(added.source.contains("tokenizer group gemma3"))
        #expect(try ModelNameResolver(models: store.models()).resolve("my-gemma-tune-Q8_0.gguf") == .found(.init(id: "my-gemma-tune", quant: .q8_0, quantLabel: "Q8_0")))

        // Llama 3.0 and 3.1 share every fact but not every token text: a group of the model's own, and the candidates said.
        let llama = try ggufRow(base: "llama-3.2-1b", newID: "my-llama-tune", aliases: [])
        let l = try store.addModel(llama, file: "/models/my-llama-tune.gguf")
        #expect(l.alsoInserted == ["tokenizers my-llama-tune"] && l.tokenizerCandidates == ["llama3", "llama3.0"])
        #expect(try CatalogValidator.validate(store.snapshot()).isEmpty)
        // Named explicitly, in place of the first row: the group made for it goes with it.
        try store.addModel(llama, file: "/models/my-llama-tune.gguf", tokenizerID: "llama3", replace: true)
        #expect(try store.models().first { $0.id == "my-llama-tune" }?.tokenizerID == "llama3")
        #expect(try store.rows(table: "tokenizers").contains { $0["id"] == "my-llama-tune" } == false)
        #expect(try CatalogValidator.validate(store.snapshot()).isEmpty)

        // Removed: gone; a bundled row cannot be removed.
        let odd = try ggufRow(base: "llama-3.2-1b", newID: "odd-model", aliases: [], tokenCount: 1234)
        #expect(try store.addModel(odd, file: "/models/odd.gguf").alsoInserted == ["tokenizers odd-model"])
        try store.removeUserRow(table: "models", id: "odd-model")
        #expect(try store.rows(table: "tokenizers").contains { $0["id"] == "odd-model" } == false)
        #expect(throws: CatalogError.self) { try store.removeUserRow(table: "models", id: "llama-3.2-1b") }
    }

    @Test func csv_reader_keeps_line_numbers() throws {
        let t = try CSVTable(name: "t", text: "\u{FEFF}id,source\r\na,\"two\nlines\"\r\n\r\nb,\"say \"\"hi\"\"\"\n")
        #expect(t.header == ["id", "source"])
        #expect(t.records.map(\.line) == [2, 5])
        #expect(t.rows[0]["source"] == "two\nlines" && t.rows[1]["source"] == "say \"hi\"")
        #expect(CSVTable.write(header: ["a"], rows: [["a": " x"], ["a": "y,z"], ["a": "plain"]]) == "a\n\" x\"\n\"y,z\"\nplain\n")
    }
}
