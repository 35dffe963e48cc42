import Foundation
import Testing

/// `specfit catalog validate|import|add|export|remove` and name resolution through the real binary.
@Suite struct CatalogCommandTests {
    let cli = CLI()
    let host = CLI.fixture("data/fixtures/machines/host-64gib.json")

    /// A models CSV with one row: Llama 3.1 8B's shapes under another id (taken from `catalog export --origin bundled`).
    func modelsCSV(id: String, changes: [String: String] = [:]) throws -> (header: String, row: String) {
        let all = try cli.run(["catalog", "export", "--table", "models", "--origin", "bundled"])
        #expect(all.code == 0, "\(all.err)")
        let lines = all.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let row = try #require(lines.first { $0.hasPrefix("llama-3.1-8b,") })
        // The source is the last column and the only quoted one in this row; split the rest on commas.
        let quote = try #require(row.firstIndex(of: "\""))
        var fields = row[..<quote].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[fields.count - 1] = String(row[quote...])
        #expect(fields.count == header.count)
        var byName = Dictionary(uniqueKeysWithValues: zip(header, fields))
        byName["id"] = id
        byName["aliases"] = ""
        byName["hf_repo"] = ""
        byName["name"] = "My \(id)"
        for (k, v) in changes { byName[k] = v }
        return (lines[0], header.map { byName[$0] ?? "" }.joined(separator: ","))
    }

    func write(_ text: String, _ name: String = "rows.csv") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-cat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func validate_passes_on_the_bundled_catalog() throws {
        let r = try cli.run(["catalog", "validate"])
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.hasPrefix("catalog valid: "))
        let j = try cli.run(["catalog", "validate", "--json", "--bundled"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == true && (json["rowsChecked"] as? Int ?? 0) > 500)
    }

    @Test func validate_a_file_prints_one_line_per_problem_and_exits_1() throws {
        let good = try modelsCSV(id: "my-a")
        let bad = try modelsCSV(id: "my-b", changes: ["n_head_kv": "5", "sliding_window": "4096"])
        let file = try write([good.header, good.row, bad.row].joined(separator: "\n") + "\n")
        let r = try cli.run(["catalog", "validate", file])
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(file):3 my-b: kv-heads: n_head_kv 5 does not divide n_head 32: each KV head serves a whole group of query heads"), "\(r.out)")
        #expect(lines.contains { $0.hasPrefix("\(file):3 my-b: sliding-window: ") })
        #expect(lines.last?.hasPrefix("2 problems in 2 rows checked") == true, "\(r.out)")
    }

    @Test func import_with_a_bad_row_exits_2_and_leaves_the_database_alone() throws {
        #expect(try cli.run(["catalog", "list", "gpus"]).code == 0) // creates the database
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.db))
        let good = try modelsCSV(id: "my-a")
        let bad = try modelsCSV(id: "my-b", changes: ["n_head_kv": "5"])
        let file = try write([good.header, good.row, bad.row].joined(separator: "\n") + "\n")
        let r = try cli.run(["catalog", "import", file])
        #expect(r.code == 2)
        #expect(r.err.split(separator: "\n").count == 1)
        #expect(r.err.hasPrefix("specfit: \(file):3: my-b: kv-heads:") && r.err.contains("nothing was imported"), "\(r.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.db)) == before)
        // An unreadable file: one line, exit 2, the database as it was.
        let missing = try cli.run(["catalog", "import", "/nonexistent/rows.csv"])
        #expect(missing.code == 2 && missing.err.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.db)) == before)
    }

    @Test func imported_rows_are_used_by_fit_and_exported_again() throws {
        let good = try modelsCSV(id: "my-llama", changes: ["aliases": "my-llama:8b"])
        let file = try write(good.header + "\n" + good.row + "\n")
        let i = try cli.run(["catalog", "import", file])
        #expect(i.code == 0, "\(i.err)")
        #expect(i.out.hasPrefix("imported 1 models row from \(file)"))
        let f = try cli.run(["fit", "my-llama:8b-q8_0", "--machine", host, "--json"])
        #expect(f.code == 0, "\(f.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(f.out.utf8)) as? [String: Any])
        let target = try #require(json["target"] as? [String: Any])
        #expect(target["id"] as? String == "my-llama" && target["ftype"] as? String == "Q8_0")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-export-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try cli.run(["catalog", "export", "-o", out]).code == 0)
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        #expect(exported.split(separator: "\n").count == 2 && exported.contains("my-llama,"))
        #expect(try cli.run(["catalog", "remove", "my-llama"]).code == 0)
        #expect(try cli.run(["fit", "my-llama", "--machine", host]).code == 2)
    }

    @Test func ambiguous_names_exit_1_with_the_candidates() throws {
        let m = try cli.run(["fit", "llama3.1", "--machine", host])
        #expect(m.code == 1)
        #expect(m.err == "specfit: 'llama3.1' matches several catalog rows: llama-3.1-405b, llama-3.1-70b, llama-3.1-8b; give one of these ids\n")
        let g = try cli.run(["fit", "llama-3.1-8b", "--gpu", "RTX 4090 Laptop", "--machine", host])
        #expect(g.code == 1)
        #expect(g.err.split(separator: "\n").count == 1)
        #expect(g.err.contains("rtx-4090-laptop (PCI 10de:2717") && g.err.contains("rtx-4090-laptop-2757 (PCI 10de:2757"), "\(g.err)")
        #expect(try cli.run(["fit", "llama-3.1-8b", "--gpu", "rtx-4090-laptop", "--machine", host]).code == 0)
    }

    @Test func gguf_file_names_and_ollama_tags_carry_their_quantisation() throws {
        for (name, id, quant) in [("Meta-Llama-3.1-8B-Instruct-Q8_0.gguf", "llama-3.1-8b", "Q8_0"),
                                  ("qwen2.5-coder:1.5b-instruct-q4_K_M", "qwen2.5-coder-1.5b", "Q4_K_M"),
                                  ("lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", "llama-3.1-8b", "Q4_K_M")] {
            let r = try cli.run(["fit", name, "--machine", host, "--json"])
            #expect(r.code == 0, "\(name): \(r.err)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            let target = try #require(json["target"] as? [String: Any])
            #expect(target["id"] as? String == id && target["ftype"] as? String == quant, "\(name)")
        }
        // A .gguf name that is neither a file here nor a catalog model.
        let r = try cli.run(["fit", "Totally-Unknown-7B-Q4_K_M.gguf", "--machine", host])
        #expect(r.code == 2 && r.err.contains("there is no file"))
    }

    @Test func add_from_gguf_then_fit() throws {
        let fixture = CLI.fixture("data/fixtures/gguf/tiny-llama-q8_0.gguf")
        let a = try cli.run(["catalog", "add", "--from-gguf", fixture, "--id", "tiny-llama"])
        #expect(a.code == 0, "\(a.err)")
        #expect(a.out.hasPrefix("added model tiny-llama (llama"))
        #expect(try cli.run(["fit", "tiny-llama", "--machine", host]).code == 0)
        #expect(try cli.run(["fit", "tiny-llama-q8_0", "--machine", host]).code == 0) // the file name is an alias
        // Twice: the id is taken.
        let again = try cli.run(["catalog", "add", "--from-gguf", fixture, "--id", "tiny-llama"])
        #expect(again.code == 2 && again.err.contains("--replace"))
        #expect(try cli.run(["catalog", "validate"]).code == 0)
        let notGGUF = try cli.run(["catalog", "add", "--from-gguf", host])
        #expect(notGGUF.code == 2 && notGGUF.err.split(separator: "\n").count == 1)
    }
}
